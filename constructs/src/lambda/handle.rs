//! `IFunction`: what any Lambda function offers, whether the `Function` L2 or the
//! generated `CfnFunction`, as the CDK's `lambda.IFunction`.

use cloudwright_core::{Construct, Expr, Result, Value};

use crate::cfn::lambda::{CfnFunction, CfnPermission, CfnPermissionProps};
use crate::iam::{CrossAccount, Grantee, grant};

/// A Lambda function, by its ARN.
pub trait IFunction: Construct {
    /// The function's ARN.
    fn function_arn(&self) -> Expr;

    /// Lets `grantee` invoke the function, its versions and aliases: the CDK grants on the
    /// ARN and on `<arn>:*`, since a qualified ARN is a different resource to IAM
    /// (<https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html>).
    ///
    /// A grantee in another account must also be let in by the function's resource-based
    /// policy: an `AWS::Lambda::Permission` for the grantee's account (beside the function).
    /// <https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-cross-account.html>
    fn grant_invoke(&self, grantee: &impl Grantee) -> Result<()>
    where
        Self: Sized,
    {
        let arn = self.function_arn();
        grant(grantee, &["lambda:InvokeFunction"], [arn.clone(), Expr::concat([arn, Expr::str(":*")])])?;
        let Some(other) = CrossAccount::between(self, grantee) else {
            return Ok(());
        };
        let id = format!("InvokeFrom-{}", other.role_name());
        if self.node().find_child(&id).is_none() {
            // The principal is the account, not the role: a Lambda permission takes no
            // condition on `aws:PrincipalArn` (only `SourceArn`, `SourceAccount` and
            // `PrincipalOrgID`), and naming a role that does not exist yet (the grantee's
            // stack deploys after this one, as it reads the function's ARN) is refused.
            // The grantee account's IAM policies decide who there may invoke, and the
            // grant above allows only this role.
            // https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html
            let props =
                CfnPermissionProps::new("lambda:InvokeFunction", Value::Expr(self.function_arn()), other.account());
            CfnPermission::new(self.node(), &id, props)?;
        }
        Ok(())
    }
}

impl IFunction for CfnFunction {
    fn function_arn(&self) -> Expr {
        self.attr_arn()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

    use cloudwright_core::{App, Stack, StackProps};

    use super::*;
    use crate::cfn::lambda::CfnFunctionProps;
    use crate::cfn::lambda::function::Code as CfnCode;
    use crate::iam::{Principal, Role, RoleProps};
    use crate::lambda::{Code, Function, FunctionProps};

    fn function(stack: &Stack, id: &str) -> Function {
        let props =
            FunctionProps { code: Code::Inline("def handler(e, c):\n    return 1\n".into()), ..Default::default() };
        Function::new(stack, id, props).unwrap()
    }

    /// The statements of the default policy of the role under `role_path`.
    fn policy_of(app: &App, role_path: &str) -> String {
        let template = app.assembly().unwrap().template("S").unwrap();
        let resources = template["Resources"].as_object().unwrap();
        let policy = resources
            .iter()
            .find(|(id, r)| r["Type"] == "AWS::IAM::Policy" && id.starts_with(role_path))
            .map(|(_, r)| r["Properties"]["PolicyDocument"].to_string());
        policy.unwrap_or_else(|| panic!("no default policy for {role_path}: {resources:#?}"))
    }

    #[test]
    fn a_function_is_a_grantee_its_role_gets_the_grant() {
        let app = App::new();
        let stack = Stack::new(&app, "S", StackProps::default()).unwrap();
        let (caller, callee) = (function(&stack, "Caller"), function(&stack, "Callee"));
        callee.grant_invoke(&caller).unwrap();
        let policy = policy_of(&app, "CallerServiceRoleDefaultPolicy");
        assert!(policy.contains("lambda:InvokeFunction"), "{policy}");
        assert!(policy.contains(r#"{"Fn::GetAtt":["Callee"#), "the grant names the callee's ARN: {policy}");
        assert!(policy.contains(":*"), "versions and aliases too: {policy}");
    }

    #[test]
    fn the_generated_function_is_a_function_too() {
        let app = App::new();
        let stack = Stack::new(&app, "S", StackProps::default()).unwrap();
        let l1 = CfnFunction::new(
            &stack,
            "Plain",
            CfnFunctionProps {
                handler: Some("index.handler".into()),
                ..CfnFunctionProps::new(
                    CfnCode { zip_file: Some("x".into()), ..Default::default() },
                    "arn:aws:iam::111111111111:role/r",
                )
            },
        )
        .unwrap();
        let role = Role::new(
            &stack,
            "Invoker",
            RoleProps { assumed_by: vec![Principal::service("events.amazonaws.com")], ..Default::default() },
        )
        .unwrap();
        l1.grant_invoke(&role).unwrap();
        let policy = policy_of(&app, "InvokerDefaultPolicy");
        assert!(policy.contains("Plain") && policy.contains("lambda:InvokeFunction"), "{policy}");
    }
}
