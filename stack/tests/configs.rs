//! The stack configurations are what a scenario TOML maps onto: every field has a default,
//! and a partial table overrides only what it names.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_stack::cell::{CellConfig, Payload};
use ntn_stack::ue::UeConfig;

#[test]
fn empty_tables_give_the_defaults() {
    assert_eq!(
        toml::from_str::<CellConfig>("").unwrap(),
        CellConfig::default()
    );
    assert_eq!(toml::from_str::<UeConfig>("").unwrap(), UeConfig::default());
}

#[test]
fn partial_tables_override_what_they_name() {
    let cell: CellConfig = toml::from_str(
        r#"
        k_offset_ms = 560
        ul_sync_validity_s = 60
        [payload]
        kind = "regenerative"
        [rach]
        rar_window_ms = 640
        "#,
    )
    .unwrap();
    assert_eq!(cell.k_offset_ms, 560);
    assert_eq!(cell.ul_sync_validity_s, 60);
    assert_eq!(cell.payload, Payload::Regenerative);
    assert_eq!(cell.rach.rar_window_ms, 640);
    assert_eq!(
        cell.rach.nprach_period_ms,
        CellConfig::default().rach.nprach_period_ms
    );
    let ue: UeConfig = toml::from_str(
        r#"
        seed = 9
        [ntn]
        precompensate = false
        [traffic]
        exchanges = 40
        "#,
    )
    .unwrap();
    assert_eq!(ue.seed, 9);
    assert!(!ue.ntn.precompensate);
    assert_eq!(ue.traffic.exchanges, 40);
    assert_eq!(ue.traffic.bytes, UeConfig::default().traffic.bytes);
}
