//! `HttpRegistry` against our own REST server: subjects awkward in a URL path round trip
//! exactly (or are refused before anything is sent), and basic auth works without retrying
//! refusals or leaking credentials.
#![cfg(all(feature = "client", feature = "embedded", feature = "server"))]

mod support;

use sc_events_registry::http::{Auth, HttpConfig, HttpRegistry, Secret};
use sc_events_registry::server::ServeOptions;
use sc_events_registry::{Compatibility, ErrorKind, RegisterOptions, Registry, SchemaDef, Version};
use support::real::Real;
use support::*;

/// Subjects that are awkward in a URL path.
const AWKWARD: &[&str] = &[
    "a/b",
    "/leading-slash",
    "trailing-slash/",
    "a//b",
    "a/../b",
    "../x",
    "x/..",
    "...",
    "a..b",
    ".hidden",
    "%2F",
    "a%2Fb",
    "%252F",
    "100%",
    "with space",
    " leading and trailing ",
    "plus+sign",
    "q?x=1&y=2#frag",
    "semi;colon,comma",
    "back\\slash",
    "quote\"and'apostrophe",
    "<angle>{brace}[bracket]|pipe^caret`tick",
    "ünïcödé-ß",
    "日本語/주문/заказ",
    "emoji-🦀-crab",
    "nbsp\u{a0}and\u{2028}line-separator",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn awkward_subject_names_round_trip_exactly() {
    let srv = Real::counted(ServeOptions::default()).await;
    let r = client(&srv.url, 0);
    let def = SchemaDef::avro(V1);
    let mut id = None;
    for s in AWKWARD {
        let got = r
            .register(s, &def, RegisterOptions::default())
            .await
            .unwrap_or_else(|e| panic!("register {s:?}: {e}"));
        assert_eq!(*id.get_or_insert(got), got, "{s:?}");
        assert_eq!(r.versions(s, false).await.unwrap(), vec![1], "{s:?}");
        let v = r.version(s, Version::Latest, false).await.unwrap();
        assert_eq!(v.subject, *s);
        let l = r.lookup(s, &def, false, false).await.unwrap();
        assert_eq!(l.subject, *s);
        r.set_compatibility(Some(s), Compatibility::Full)
            .await
            .unwrap();
        assert_eq!(
            r.compatibility(Some(s), false).await.unwrap(),
            Compatibility::Full,
            "{s:?}"
        );
        let c = r
            .test_compatibility(s, &SchemaDef::avro(V2), Some(Version::Number(1)))
            .await
            .unwrap();
        assert!(c.is_compatible, "{s:?}: {:?}", c.messages);
    }
    let mut want: Vec<String> = AWKWARD.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(r.subjects(false).await.unwrap(), want);
    let mut by_id: Vec<String> = r
        .id_versions(id.unwrap())
        .await
        .unwrap()
        .into_iter()
        .map(|(s, v)| {
            assert_eq!(v, 1);
            s
        })
        .collect();
    by_id.sort();
    assert_eq!(by_id, want);
    // A subject that only differs by encoding is a different subject.
    let e = r.versions("a%2Fb%2F", false).await.unwrap_err();
    assert_eq!(api(&e).0, ErrorKind::SubjectNotFound, "{e}");
    for s in AWKWARD {
        assert_eq!(r.delete_subject(s, false).await.unwrap(), vec![1], "{s:?}");
        assert_eq!(r.delete_subject(s, true).await.unwrap(), vec![1], "{s:?}");
    }
    assert!(r.subjects(true).await.unwrap().is_empty());

    // `.` and `..` cannot travel as a URL path segment (every URL library removes them), so
    // the client refuses them without sending anything rather than hitting another route.
    let before = srv.hits();
    for s in [".", ".."] {
        let e = r
            .register(s, &def, RegisterOptions::default())
            .await
            .unwrap_err();
        assert_eq!(api(&e).0, ErrorKind::InvalidSubject, "{s:?}: {e}");
        let e = r.versions(s, false).await.unwrap_err();
        assert_eq!(api(&e).0, ErrorKind::InvalidSubject, "{s:?}: {e}");
        let e = r.delete_subject(s, false).await.unwrap_err();
        assert_eq!(api(&e).0, ErrorKind::InvalidSubject, "{s:?}: {e}");
    }
    assert_eq!(srv.hits(), before, "nothing is sent for `.` or `..`");
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_auth_works_and_refusals_are_not_retried_nor_leaked() {
    const RIGHT: &str = "alice:s3cr3t-RIGHT-8d1f";
    const WRONG_PASS: &str = "WR0NG-pa55-77e2";
    let srv = Real::counted(ServeOptions {
        users: vec!["bob:other".to_string(), RIGHT.to_string()],
        ..ServeOptions::default()
    })
    .await;
    let retry = fast_retry(3);

    let good = client_with(&srv.url, Auth::Basic(Secret::new(RIGHT)), retry, ms(2000));
    let id = good
        .register("s", &SchemaDef::avro(V1), RegisterOptions::default())
        .await
        .unwrap();
    assert_eq!(good.subjects(false).await.unwrap(), vec!["s".to_string()]);
    assert_eq!(
        json(&good.schema_by_id(id, None).await.unwrap().schema),
        json(V1)
    );

    let wrong = format!("alice:{WRONG_PASS}");
    let wrong_b64 = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(&wrong)
    };
    let right_b64 = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(RIGHT)
    };
    let no_leak = |what: &str, text: &str| {
        for secret in [
            WRONG_PASS,
            wrong_b64.as_str(),
            "s3cr3t-RIGHT",
            right_b64.as_str(),
        ] {
            assert!(!text.contains(secret), "{what} leaks {secret}: {text}");
        }
    };

    let mut cfg_wrong = HttpConfig::new(srv.url.clone());
    cfg_wrong.auth = Auth::Basic(Secret::new(wrong.clone()));
    cfg_wrong.retry = retry;
    no_leak("HttpConfig Debug", &format!("{cfg_wrong:?}"));
    no_leak("client Debug", &format!("{good:?}"));
    no_leak("client describe", &good.describe());

    let clients = [
        ("wrong secret", HttpRegistry::new(cfg_wrong).unwrap()),
        (
            "secret in the URL",
            client_with(
                &srv.url
                    .replace("http://", &format!("http://alice:{WRONG_PASS}@")),
                Auth::None,
                retry,
                ms(2000),
            ),
        ),
        ("no credentials", client(&srv.url, 3)),
        (
            "bearer",
            client_with(
                &srv.url,
                Auth::Bearer(Secret::new(WRONG_PASS)),
                retry,
                ms(2000),
            ),
        ),
    ];
    for (what, c) in &clients {
        no_leak(what, &format!("{c:?}"));
        no_leak(what, &c.describe());
        let before = srv.hits();
        let e = c.subjects(false).await.unwrap_err();
        assert_eq!(api(&e), (ErrorKind::Unauthorized, 401, 401), "{what}: {e}");
        assert_eq!(srv.hits() - before, 1, "{what}: a 401 is never retried");
        no_leak(what, &e.to_string());
        no_leak(what, &format!("{e:?}"));
        let before = srv.hits();
        let e = c
            .register("s", &SchemaDef::avro(V2), RegisterOptions::default())
            .await
            .unwrap_err();
        assert!(e.is(ErrorKind::Unauthorized), "{what}: {e}");
        assert_eq!(srv.hits() - before, 1, "{what}");
        no_leak(what, &e.to_string());
        no_leak(what, &format!("{e:?}"));
    }
    // Nothing was registered by the refused clients.
    assert_eq!(good.versions("s", false).await.unwrap(), vec![1]);
    srv.stop().await;
}
