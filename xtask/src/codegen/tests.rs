//! Tests of the generator on tricky schema shapes.
