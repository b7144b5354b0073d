//! Every synthesized file, pinned: a pull request that changes the infrastructure shows
//! it as a snapshot diff. Review with `cargo insta review`.

#[test]
fn infrastructure() -> Result<(), cloudwright_constructs::Error> {
    let app = cloudwright_constructs::App::new();
    {{crate}}::build(&app)?;
    cloudwright_constructs::assert_app_snapshot!(app);
    Ok(())
}
