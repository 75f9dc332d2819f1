//! Arbitrary bytes through every decoder of the wire format: the generated decoders (owned and
//! borrowed) of each domain's event type, and the resolution of an older writer version. None
//! may panic, loop or allocate beyond the input; a decoded value must survive a round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sc_events::wire::binary::from_slice;
use sc_events::wire::resolve::{self, compile_between, Plan, Program};
use sc_events::wire::{Encode, HasView};
use sc_events_schema::model::parse_files;
use sc_events_schema::rules::compat::SchemaRef;
use sc_events_schema::source::SourceFile;
use std::sync::OnceLock;

/// Today's order schema read as one without its first payload field's neighbour: a writer
/// version that differs, so the resolving path runs.
fn program() -> &'static Option<Program> {
    static P: OnceLock<Option<Program>> = OnceLock::new();
    P.get_or_init(|| {
        let now = sc_events::workspace::catalog_of::<sc_events::Workspace>();
        let d = now.domains.iter().find(|d| d.topic == "sc.domain.order")?;
        let text = now.set.files[d.file].text.replacen(
            r#"{"name": "currency""#,
            r#"{"name": "legacy", "type": ["null", "long"], "default": null}, {"name": "currency""#,
            1,
        );
        let envelope = sc_events::SCHEMAS.first()?.text;
        let old = parse_files(vec![
            SourceFile::new("envelope.avsc", envelope),
            SourceFile::new("old.avsc", text),
        ])
        .ok()?;
        let root = old.roots.last()?;
        let reader = SchemaRef {
            set: &now.set,
            root: &now.set.roots[d.file],
        };
        match compile_between(SchemaRef { set: &old, root }, reader) {
            Ok(Plan::Resolve(p)) => Some(p),
            _ => None,
        }
    })
}

fn check<
    E: Encode + PartialEq + std::fmt::Debug + HasView + for<'a> sc_events::wire::Decode<'a>,
>(
    data: &[u8],
) {
    if let Ok(e) = from_slice::<E>(data) {
        // Avro allows several encodings of one value (block splits, long varints), so the
        // re-encoding need not be byte-equal, but it must decode to the same value.
        let mut again = Vec::new();
        e.encode(&mut again);
        assert_eq!(
            from_slice::<E>(&again).ok().as_ref(),
            Some(&e),
            "encode/decode round trip"
        );
        let v: E::View<'_> =
            from_slice(data).expect("the view decodes what the owned decoder does");
        assert_eq!(E::from_view(&v), e);
    } else {
        assert!(from_slice::<E::View<'_>>(data).is_err());
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, data)) = data.split_first() else {
        return;
    };
    match pick % 8 {
        0 => check::<sc_events::user::Event>(data),
        1 => check::<sc_events::supplier::Event>(data),
        2 => check::<sc_events::community::Event>(data),
        3 => check::<sc_events::product::Event>(data),
        4 => check::<sc_events::promotion::Event>(data),
        5 => check::<sc_events::post::Event>(data),
        6 => check::<sc_events::order::Event>(data),
        _ => {
            if let Some(p) = program() {
                let _ = resolve::transcode(p, data);
            }
        }
    }
});
