//! Lambda runtimes and the handler form each expects.

/// A Lambda runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Runtime {
    /// `python3.12`
    Python312,
    /// `python3.13`
    Python313,
    /// `nodejs20.x`
    Nodejs20,
    /// `nodejs22.x`
    Nodejs22,
    /// `java21`
    Java21,
    /// `dotnet8`
    Dotnet8,
    /// `ruby3.3`
    Ruby33,
    /// `provided.al2023`: a custom runtime (Rust, Go) whose `bootstrap` handles events.
    ProvidedAl2023,
    /// A runtime newer than this list.
    Other(String),
}

impl Runtime {
    /// The identifier Lambda uses.
    pub fn name(&self) -> &str {
        match self {
            Runtime::Python312 => "python3.12",
            Runtime::Python313 => "python3.13",
            Runtime::Nodejs20 => "nodejs20.x",
            Runtime::Nodejs22 => "nodejs22.x",
            Runtime::Java21 => "java21",
            Runtime::Dotnet8 => "dotnet8",
            Runtime::Ruby33 => "ruby3.3",
            Runtime::ProvidedAl2023 => "provided.al2023",
            Runtime::Other(name) => name,
        }
    }

    /// The typed L1 value.
    pub fn cfn(&self) -> crate::cfn::lambda::function::Runtime {
        use crate::cfn::lambda::function::Runtime as Cfn;
        match self {
            Runtime::Python312 => Cfn::Python312,
            Runtime::Python313 => Cfn::Python313,
            Runtime::Nodejs20 => Cfn::Nodejs20X,
            Runtime::Nodejs22 => Cfn::Nodejs22X,
            Runtime::Java21 => Cfn::Java21,
            Runtime::Dotnet8 => Cfn::Dotnet8,
            Runtime::Ruby33 => Cfn::Ruby33,
            Runtime::ProvidedAl2023 => Cfn::ProvidedAl2023,
            Runtime::Other(name) => Cfn::Other(name.clone()),
        }
    }

    /// Why `handler` does not fit this runtime, if it does not.
    pub fn handler_problem(&self, handler: &str) -> Option<String> {
        let ident = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
        let (ok, form) = match self {
            Runtime::Python312 | Runtime::Python313 | Runtime::Ruby33 => {
                let ok = handler
                    .rsplit_once('.')
                    .is_some_and(|(file, f)| !file.is_empty() && file.split(['/', '.']).all(ident) && ident(f));
                (ok, "file.function, e.g. \"index.handler\"")
            }
            Runtime::Nodejs20 | Runtime::Nodejs22 => {
                let ok = handler.rsplit_once('.').is_some_and(|(file, f)| {
                    !file.is_empty() && file.split(['/', '.', '-']).all(|p| p.is_empty() || ident(p)) && ident(f)
                });
                (ok, "file.export, e.g. \"index.handler\"")
            }
            Runtime::Java21 => {
                let (class, method) = handler.split_once("::").unwrap_or((handler, "handleRequest"));
                (
                    class.split('.').all(ident) && ident(method),
                    "package.Class::method, e.g. \"example.Handler::handleRequest\"",
                )
            }
            Runtime::Dotnet8 => (handler.split("::").count() == 3, "Assembly::Namespace.Class::Method"),
            Runtime::ProvidedAl2023 | Runtime::Other(_) => (!handler.is_empty(), "any non-empty name"),
        };
        (!ok).then(|| format!("handler {handler:?} does not fit runtime {}: write it as {form}", self.name()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handler_forms() {
        assert!(Runtime::Python312.handler_problem("index.handler").is_none());
        assert!(Runtime::Python312.handler_problem("app/main.lambda_handler").is_none());
        assert!(Runtime::Python312.handler_problem("handler").is_some());
        assert!(Runtime::Nodejs22.handler_problem("dist/index.handler").is_none());
        assert!(Runtime::Java21.handler_problem("example.Handler::handleRequest").is_none());
        assert!(Runtime::Java21.handler_problem("example.Handler").is_none());
        assert!(Runtime::Java21.handler_problem("example Handler").is_some());
        assert!(Runtime::ProvidedAl2023.handler_problem("bootstrap").is_none());
        assert!(Runtime::ProvidedAl2023.handler_problem("").is_some());
    }
}
