//! Every synthesized file, pinned: a pull request that changes the infrastructure shows
//! it as a snapshot diff. Review with `cargo insta review`. Beside it, what must hold
//! whatever else changes, as fine-grained assertions (`cloudwright_constructs::testing`).

use cloudwright_constructs::cfn::lambda::CfnFunction;
use cloudwright_constructs::testing::{Match, Template};

#[test]
fn infrastructure() -> Result<(), cloudwright_constructs::Error> {
    let app = cloudwright_constructs::App::new();
    {{crate}}::build(&app)?;
    cloudwright_constructs::assert_app_snapshot!(app);
    Ok(())
}

#[test]
fn every_function_is_traced() -> Result<(), cloudwright_constructs::Error> {
    let app = cloudwright_constructs::App::new();
    {{crate}}::build(&app)?;
    for stack in app.stacks() {
        let template = Template::from_stack(&stack);
        if !template.find_resources_of::<CfnFunction>(Match::any_value()).is_empty() {
            // X-Ray active tracing, however the functions change.
            let traced = Match::object_like([("TracingConfig", Match::object_like([("Mode", "Active".into())]))]);
            template.all_resources_properties_of::<CfnFunction>(traced);
        }
    }
    Ok(())
}
