//! Example cloudwright apps.
