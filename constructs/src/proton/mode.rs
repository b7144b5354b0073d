//! The deploy mode: whether environments and services deploy as plain stacks or through
//! Proton. It is an app context value, so constructs read it from the app they are in.

use cloudwright_core::{App, AppProps, Error, Result};

/// The environment variable that carries `cloudwright --mode` to an app command.
pub const DEPLOY_MODE_ENV: &str = "CLOUDWRIGHT_DEPLOY_MODE";

/// How environments and services deploy. Both modes write the Proton bundles and specs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DeployMode {
    /// Every account's stacks are in the cloud assembly, deployed with CloudFormation
    /// (AWS Proton has ended; this is the default).
    #[default]
    Plain,
    /// Environment and service stacks are left to the Proton bundles.
    Proton,
}

impl DeployMode {
    /// The app context key holding the mode ([`App::context`]).
    pub const CONTEXT_KEY: &'static str = "cloudwright:deployMode";

    /// The mode `cloudwright --mode` passed in `$CLOUDWRIGHT_DEPLOY_MODE`; `Plain` when unset.
    pub fn from_env() -> Result<DeployMode> {
        let value = std::env::var(DEPLOY_MODE_ENV).unwrap_or_default();
        DeployMode::parse(&value).ok_or_else(|| Error::Input {
            path: format!("${DEPLOY_MODE_ENV}"),
            message: format!("is {value:?}; set it to plain or proton (or leave it unset for plain)"),
        })
    }

    /// The mode an app's constructs deploy with: its context value, `Plain` when unset.
    pub fn of(app: &App) -> Result<DeployMode> {
        let value = app.context(Self::CONTEXT_KEY).unwrap_or_default();
        DeployMode::parse(&value).ok_or_else(|| Error::Input {
            path: format!("context `{}`", Self::CONTEXT_KEY),
            message: format!("is {value:?}; set it to plain or proton (or leave it unset for plain)"),
        })
    }

    /// Sets the mode of `app`; constructs read it as they are built, so set it first.
    pub fn set(self, app: &App) {
        app.set_context(Self::CONTEXT_KEY, self.as_str());
    }

    /// The default app settings with this mode in their context.
    pub fn app_props(self) -> AppProps {
        let mut props = AppProps::default();
        props.context.insert(Self::CONTEXT_KEY.to_owned(), self.as_str().to_owned());
        props
    }

    /// `plain` or `proton`, as `--mode`, `$CLOUDWRIGHT_DEPLOY_MODE` and the context spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            DeployMode::Plain => "plain",
            DeployMode::Proton => "proton",
        }
    }

    fn parse(value: &str) -> Option<DeployMode> {
        match value {
            "" | "plain" => Some(DeployMode::Plain),
            "proton" => Some(DeployMode::Proton),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mode_is_an_app_context_value() {
        let app = App::new();
        assert_eq!(DeployMode::of(&app).unwrap(), DeployMode::Plain);
        DeployMode::Proton.set(&app);
        assert_eq!(app.context(DeployMode::CONTEXT_KEY).as_deref(), Some("proton"));
        assert_eq!(DeployMode::of(&app).unwrap(), DeployMode::Proton);
        assert_eq!(DeployMode::of(&App::with_props(DeployMode::Proton.app_props())).unwrap(), DeployMode::Proton);
        app.set_context(DeployMode::CONTEXT_KEY, "cloud");
        let err = DeployMode::of(&app).unwrap_err().to_string();
        assert!(err.contains("is \"cloud\"; set it to plain or proton"), "{err}");
    }
}
