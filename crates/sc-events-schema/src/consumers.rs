//! Consuming jobs: the [`Consumer`] values of the topic file (read by [`crate::topics`], checked
//! for structure while the catalog is built) and the queries over them — [`affected`]: whom a
//! change to an event breaks.

pub use crate::retry::RetryPolicy;
pub use crate::topics::Consumer;
use crate::topics::PrivacyTier;

/// The consumers that would see `event_type` on `topic` (they read it, handle it, and may see
/// its tier): whom a change to that event breaks.
pub fn affected<'a>(
    consumers: &'a [Consumer],
    topic: &'a str,
    event_type: &'a str,
    tier: Option<PrivacyTier>,
) -> impl Iterator<Item = &'a Consumer> + 'a {
    consumers.iter().filter(move |c| {
        c.reads(topic)
            && c.handles(event_type)
            && tier.unwrap_or(PrivacyTier::Public) <= *c.max_tier.get_ref()
    })
}
