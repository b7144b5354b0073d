//! `IFunction`: what any Lambda function offers, whether the `Function` L2 or the
//! generated `CfnFunction`, as the CDK's `lambda.IFunction`.

use cloudwright_core::{Expr, Result};

use crate::cfn::lambda::CfnFunction;
use crate::iam::{Grantee, grant};

/// A Lambda function, by its ARN.
pub trait IFunction {
    /// The function's ARN.
    fn function_arn(&self) -> Expr;

    /// Lets `grantee` invoke the function, its versions and aliases: the CDK grants on the
    /// ARN and on `<arn>:*`, since a qualified ARN is a different resource to IAM
    /// (https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html).
    fn grant_invoke(&self, grantee: &impl Grantee) -> Result<()>
    where
        Self: Sized,
    {
        let arn = self.function_arn();
        grant(grantee, &["lambda:InvokeFunction"], [arn.clone(), Expr::concat([arn, Expr::str(":*")])])
    }
}

impl IFunction for CfnFunction {
    fn function_arn(&self) -> Expr {
        self.attr_arn()
    }
}
