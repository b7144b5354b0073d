//! IAM as AWS evaluates it, over synthesized policy documents.

pub mod documents;
pub mod evaluate;
pub mod request;
