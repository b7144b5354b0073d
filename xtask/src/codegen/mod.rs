//! `cargo xtask codegen`: generates `constructs/src/cfn/` from the vendored CloudFormation
//! resource provider schemas.

/// Runs the code generator.
pub fn run(_args: &[String]) -> Result<(), String> {
    Err("codegen is not implemented yet".into())
}
