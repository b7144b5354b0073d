//! An app's tree is freed when the app is dropped: no construct keeps it alive through a
//! validator, lazy property, aspect or file generator that holds a construct handle.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::cell::Cell;
use std::rc::Rc;

use cloudwright_constructs::proton::DeployMode;
use cloudwright_constructs::{App, Aspect, Construct, Node};

/// An aspect that records when it is dropped, which happens when the tree holding it is.
struct DropFlag(Rc<Cell<bool>>);

impl Aspect for DropFlag {
    fn visit(&self, _: &Node) {}
}

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

fn freed_after_synth(name: &str, app: App) {
    let dropped = Rc::new(Cell::new(false));
    app.node().add_aspect(DropFlag(Rc::clone(&dropped)));
    // Synthesis runs every validator, lazy property and generator once.
    let _ = app.assembly();
    drop(app);
    assert!(dropped.get(), "the tree of the {name} app outlives the app: something holds it in a cycle");
}

#[test]
fn every_example_app_is_freed_when_dropped() {
    use cloudwright_examples as ex;
    freed_after_synth("basic", ex::basic::app().unwrap());
    freed_after_synth("bench", ex::bench::app(2, 2).unwrap());
    freed_after_synth("governance_bad", ex::governance_bad::app().unwrap());
    freed_after_synth("lambda_service", ex::lambda_service::app().unwrap());
    freed_after_synth("multi_account", ex::multi_account::app().unwrap());
    freed_after_synth("organization", ex::organization::app().unwrap());
    freed_after_synth("proton", ex::proton::app().unwrap());
    freed_after_synth("proton (plain)", ex::proton::app_with_mode(DeployMode::Plain).unwrap());
    freed_after_synth("stages", ex::stages::app().unwrap());
}
