//! Field-level encryption against Confluent's own: the Python client's AvroSerializer and
//! AvroDeserializer with its ENCRYPT rule executor and local KMS (`tests/interop/
//! csfle_client.py`), through `schemactl registry serve` and its DEK registry. Each side
//! decrypts what the other encrypts, whichever side created the KEK and the data key; a
//! reader without the key sees ciphertext, or refuses when told to.

/// The repository root: the social-commerce workspace.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

mod support;

use sc_events::encrypt::LocalKms;
use sc_events::wire::{Decoded, Decryption, Deserializer, Serializer, SerializerConfig, WireError};
use sc_events::{user, Actor, Emitter};
use sc_events_registry::http::{HttpConfig, HttpRegistry};
use sc_events_registry::keys::KeyRegistry;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

const SECRET: &str = "csfle-interop-secret";

fn python_rules() -> bool {
    let ok = Command::new("python3")
        .args([
            "-c",
            "import confluent_kafka.schema_registry.rules.encryption.encrypt_executor",
        ])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        let msg = "confluent-kafka[rules] (Python) is not installed: python3 -m pip install -r tests/interop/requirements.txt";
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "{msg}");
        eprintln!("SKIPPED: {msg}");
    }
    ok
}

fn py(url: &str, args: &[&str]) -> String {
    let script = Path::new(ROOT).join("tests/interop/csfle_client.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(url)
        .args(args)
        .env_remove("LOCAL_SECRET")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "csfle_client.py {args:?}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn contact(email: &str) -> user::Event {
    Emitter::new("rust-producer")
        .event(
            user::UserContactRegistered {
                user_id: "64f1c2b7e0d3a4c5cccccccc".into(),
                email: email.into(),
            },
            "64f1c2b7e0d3a4c5cccccccc",
            1,
            Actor::system(),
        )
        .unwrap()
}

fn email_of(d: Decoded<user::Event>) -> String {
    let Decoded::Event(e) = d else {
        panic!("{d:?}")
    };
    let user::Data::UserContactRegistered(c) = e.data else {
        panic!("{:?}", e.data)
    };
    c.email
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// A published registry on a fresh `registry serve`.
fn published(dir: &Path) -> (support::serve::Server, String) {
    let server = support::serve::serve(&dir.join("r.db"), &[], &[]);
    let url = server.url.clone();
    let out = Command::new(env!("CARGO_BIN_EXE_schemactl"))
        .args(["publish", "--against", &url])
        .current_dir(ROOT)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (server, url)
}

fn registry(url: &str) -> Arc<HttpRegistry> {
    Arc::new(HttpRegistry::new(HttpConfig::new(url.to_string())).unwrap())
}

fn kms() -> Arc<LocalKms> {
    Arc::new(LocalKms::from_secret(SECRET))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confluents_client_decrypts_what_we_encrypt_and_we_decrypt_what_it_encrypts() {
    if !python_rules() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();

    // Ours first: we register the KEK and create the subject's data key.
    let (_server, url) = published(dir.path());
    let reg = registry(&url);
    let config = SerializerConfig {
        kms: Some(kms()),
        ..SerializerConfig::default()
    };
    let ser = Serializer::<user::Event>::new(reg.as_ref(), &config)
        .await
        .unwrap();
    assert_eq!(
        ser.encryptor().unwrap().fields(),
        ["sc.events.user.UserContactRegistered.email"]
    );
    let mut framed = Vec::new();
    ser.serialize(&contact("alice@example.com"), &mut framed)
        .unwrap();
    assert!(
        !contains(&framed, "alice@example.com"),
        "the email travels in clear"
    );
    let kek = reg.kek("sc-restricted-pii", false).await.unwrap();
    assert_eq!((kek.kms_type.as_str(), kek.shared), ("local-kms", false));
    let dek = reg
        .dek(
            "sc-restricted-pii",
            "sc.domain.user-value",
            Some(1),
            "AES256_GCM",
            false,
        )
        .await
        .unwrap();
    assert!(!dek.encrypted_key_material.is_empty());
    let file = dir.path().join("ours.bin");
    std::fs::write(&file, &framed).unwrap();
    let read: Value =
        serde_json::from_str(&py(&url, &["read", file.to_str().unwrap(), SECRET])).unwrap();
    assert_eq!(read["data"][1]["email"], "alice@example.com", "{read}");
    assert_eq!(read["envelope"]["producer"], "rust-producer");
    // Confluent's reader without the secret: the rule's onFailure NONE hands it ciphertext.
    let blind: Value = serde_json::from_str(&py(&url, &["read", file.to_str().unwrap()])).unwrap();
    let cipher = blind["data"][1]["email"].as_str().unwrap().to_string();
    assert_ne!(cipher, "alice@example.com");
    // And ours, with the key, and without it.
    let de = Deserializer::<user::Event>::with_decryption(reg.clone(), Decryption::with_kms(kms()));
    assert_eq!(
        email_of(de.deserialize(&framed).await.unwrap()),
        "alice@example.com"
    );
    let plain = Deserializer::<user::Event>::new(reg.clone());
    assert_eq!(email_of(plain.deserialize(&framed).await.unwrap()), cipher);

    // Theirs second, on the data key we created.
    let out = dir.path().join("theirs.bin");
    py(&url, &["write", out.to_str().unwrap(), SECRET]);
    let theirs = std::fs::read(&out).unwrap();
    assert!(!contains(&theirs, "bob@example.com"));
    assert_eq!(
        email_of(de.deserialize(&theirs).await.unwrap()),
        "bob@example.com"
    );

    // Theirs first, on a fresh registry: Confluent's client registers the KEK and the key.
    let dir2 = tempfile::tempdir().unwrap();
    let (_server2, url2) = published(dir2.path());
    let reg2 = registry(&url2);
    let out = dir2.path().join("theirs.bin");
    py(&url2, &["write", out.to_str().unwrap(), SECRET]);
    let theirs = std::fs::read(&out).unwrap();
    let de2 =
        Deserializer::<user::Event>::with_decryption(reg2.clone(), Decryption::with_kms(kms()));
    assert_eq!(
        email_of(de2.deserialize(&theirs).await.unwrap()),
        "bob@example.com"
    );
    // A reader told to refuse ciphertext refuses; one with another secret fails to unwrap.
    let refusing = Deserializer::<user::Event>::with_decryption(
        reg2.clone(),
        Decryption {
            kms: None,
            on_encrypted: sc_events::encrypt::OnEncrypted::Refuse,
        },
    );
    let e = refusing.deserialize(&theirs).await.unwrap_err();
    assert!(matches!(e, WireError::Encrypted { .. }), "{e}");
    let wrong = Deserializer::<user::Event>::with_decryption(
        reg2.clone(),
        Decryption::with_kms(Arc::new(LocalKms::from_secret("another secret"))),
    );
    let e = wrong.deserialize(&theirs).await.unwrap_err().to_string();
    assert!(e.contains("does not unwrap"), "{e}");
    assert!(!e.contains(SECRET), "{e}");
    // Ours, writing on their key; theirs reads it.
    let ser2 = Serializer::<user::Event>::new(reg2.as_ref(), &config)
        .await
        .unwrap();
    let mut framed = Vec::new();
    ser2.serialize(&contact("carol@example.com"), &mut framed)
        .unwrap();
    let file = dir2.path().join("ours.bin");
    std::fs::write(&file, &framed).unwrap();
    let read: Value =
        serde_json::from_str(&py(&url2, &["read", file.to_str().unwrap(), SECRET])).unwrap();
    assert_eq!(read["data"][1]["email"], "carol@example.com", "{read}");
}
