//! cloudwright CLI
