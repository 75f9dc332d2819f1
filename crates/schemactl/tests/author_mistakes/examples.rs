//! The same kinds of mistake in the three example workspaces, each in its own layout:
//! data-platform (snake_case, semver `event_version`, nested `schemas/<area>/`), product-events
//! and flowops (camelCase, semver `version` and integer `schemaVersion`).

use super::{run, Before, Mistake, Ws, CHECK, M};

const DP: Ws = Ws::Example("data-platform");
const DP_ETL: &str = "schemas/etl/execution.avsc";
const DP_EXECUTION_ID: &str = r#"{"name": "execution_id", "type": "string""#;
const PE: Ws = Ws::Example("product-events");
const PE_EVENT: &str = "schemas/product_event.avsc";
const PE_PRODUCT_NAME: &str = r#"{"name": "productName", "type": "string"}"#;
const FO: Ws = Ws::Example("flowops");
const FO_ORDER: &str = "schemas/order.avsc";
const FO_QTY: &str =
    r#"{"name": "qty", "type": "int", "doc": "Quantity ordered.", "constraints": {"minimum": 1}}"#;
const FO_CANCELLED_ID: &str = r#"{"name": "orderId", "type": "string", "doc": "Id of the cancelled order.", "constraints": {"minLength": 1}}"#;

mistakes! {
    data_platform_primitive_type_typo {
        workspace: DP,
        edits: &[(DP_ETL, DP_EXECUTION_ID, r#"{"name": "execution_id", "type": "strng""#)],
        expect: &["error[SCHEMA]: unknown type", "--> schemas/etl/execution.avsc:23:44", "did you mean \"string\"?"],
        reject: &["EtlStage"],
    }
    /// A breaking change with a minor bump: too small for semver.
    data_platform_required_field_added_with_a_minor_bump {
        workspace: DP,
        before: Before::Publish,
        edits: &[
            (DP_ETL, DP_EXECUTION_ID, r#"{"name": "run_label", "type": "string", "doc": "Label of the run."},
          {"name": "execution_id", "type": "string""#),
            (DP_ETL, r#""event_version": "1.0.0""#, r#""event_version": "1.1.0""#),
        ],
        args: CHECK,
        first: "error[READER_FIELD_MISSING_DEFAULT_VALUE]: field `run_label` has no default",
        expect: &[
            "--> schemas/etl/execution.avsc:23:20",
            "help: add \"default\": null",
            "error[VERSION_BUMP]: event_version 1.0.0 → 1.1.0 is a minor bump, but the change needs a major bump",
            "--> schemas/etl/execution.avsc:6:20",
            "INCOMPATIBLE",
        ],
        reject: &["error[MISSING_UNION_BRANCH]"],
    }
    data_platform_trailing_comma {
        workspace: DP,
        edits: &[(DP_ETL, r#""doc": "What started the run."}"#, r#""doc": "What started the run."},"#)],
        exit: 2,
        expect: &["error[PARSE]", "--> schemas/etl/execution.avsc:25:238", "trailing comma"],
    }
    data_platform_camel_case_field {
        workspace: DP,
        edits: &[(DP_ETL, DP_EXECUTION_ID, r#"{"name": "executionId", "type": "string""#)],
        expect: &[
            "error[FIELD_NAME_CASE]: field `executionId` of EtlExecutionStarted is not snake_case",
            "--> schemas/etl/execution.avsc:23:20",
            "help: rename the field in the workspace's case",
        ],
    }
    product_events_primitive_type_typo {
        workspace: PE,
        edits: &[(PE_EVENT, PE_PRODUCT_NAME, r#"{"name": "productName", "type": "strng"}"#)],
        expect: &["error[SCHEMA]: unknown type", "--> schemas/product_event.avsc:25:43", "did you mean \"string\"?"],
    }
    product_events_required_field_added {
        workspace: PE,
        before: Before::Publish,
        edits: &[(PE_EVENT, PE_PRODUCT_NAME, r#"{"name": "productName", "type": "string"},
          {"name": "warehouseId", "type": "string", "doc": "Warehouse."}"#)],
        args: CHECK,
        first: "error[READER_FIELD_MISSING_DEFAULT_VALUE]: field `warehouseId` has no default",
        expect: &[
            "--> schemas/product_event.avsc:26:20",
            "help: add \"default\": null",
            "error[VERSION_BUMP]: version 2.0.0 → 2.0.0 is no bump, but the change needs a major bump",
            "--> schemas/product_event.avsc:5:14",
            "breaks consumer group notifications",
        ],
        reject: &["error[MISSING_UNION_BRANCH]"],
    }
    product_events_trailing_comma {
        workspace: PE,
        edits: &[(PE_EVENT, r#""doc": "Optional reason for deletion"}"#, r#""doc": "Optional reason for deletion"},"#)],
        exit: 2,
        expect: &["error[PARSE]", "--> schemas/product_event.avsc:55:113", "trailing comma"],
    }
    product_events_snake_case_field {
        workspace: PE,
        edits: &[(PE_EVENT, PE_PRODUCT_NAME, r#"{"name": "product_name", "type": "string"}"#)],
        expect: &[
            "error[FIELD_NAME_CASE]: field `product_name` of LowStockWarning is not camelCase",
            "--> schemas/product_event.avsc:25:20",
            "help: rename the field in the workspace's case",
        ],
    }
    flowops_primitive_type_typo {
        workspace: FO,
        edits: &[(FO_ORDER, r#"{"name": "sku", "type": "string""#, r#"{"name": "sku", "type": "strng""#)],
        expect: &["error[SCHEMA]: unknown type", "--> schemas/order.avsc:24:39", "did you mean \"string\"?"],
    }
    flowops_required_field_added {
        workspace: FO,
        before: Before::Publish,
        edits: &[(FO_ORDER, FO_CANCELLED_ID, concat!(
            r#"{"name": "orderId", "type": "string", "doc": "Id of the cancelled order.", "constraints": {"minLength": 1}},"#,
            "\n          ",
            r#"{"name": "cancelReason", "type": "string", "doc": "Why."}"#,
        ))],
        args: CHECK,
        first: "error[READER_FIELD_MISSING_DEFAULT_VALUE]: field `cancelReason` has no default",
        expect: &[
            "--> schemas/order.avsc:37:20",
            "help: add \"default\": null",
            "error[VERSION_BUMP]: schemaVersion 1 → 1 is no bump",
            "--> schemas/order.avsc:6:20",
            "breaks consumer group inventory-service",
        ],
        reject: &["error[MISSING_UNION_BRANCH]"],
    }
    flowops_trailing_comma {
        workspace: FO,
        edits: &[(FO_ORDER, FO_CANCELLED_ID, r#"{"name": "orderId", "type": "string", "doc": "Id of the cancelled order.", "constraints": {"minLength": 1}},"#)],
        exit: 2,
        expect: &["error[PARSE]", "--> schemas/order.avsc:36:118", "trailing comma"],
    }
    flowops_snake_case_field {
        workspace: FO,
        edits: &[(FO_ORDER, FO_QTY, concat!(
            r#"{"name": "qty", "type": "int", "doc": "Quantity ordered.", "constraints": {"minimum": 1}},"#,
            "\n              ",
            r#"{"name": "unit_price", "type": ["null", "long"], "default": null, "doc": "Price per unit, in cents."}"#,
        ))],
        expect: &[
            "error[FIELD_NAME_CASE]: field `unit_price` of OrderItem is not camelCase",
            "--> schemas/order.avsc:26:24",
            "help: rename the field in the workspace's case",
        ],
    }
}
