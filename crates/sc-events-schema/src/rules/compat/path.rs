//! The checker's position: the JSON pointer of the pair being checked, as Java's
//! `SchemaCompatibility` builds it.

/// The JSON-pointer location being checked, kept as its string (a location is a copy, not a
/// join of every segment: locations at depth 1000 stay cheap).
#[derive(Clone, Default)]
pub(super) struct Path {
    text: String,
    /// Where each pushed segment starts in `text`.
    starts: Vec<usize>,
}

impl Path {
    pub(super) fn push(&mut self, segment: &str) {
        self.starts.push(self.text.len());
        self.text.push('/');
        self.text.push_str(segment);
    }

    /// Pushes the segment of a position (a field's, a union branch's), written without an
    /// intermediate string.
    pub(super) fn push_index(&mut self, i: usize) {
        self.starts.push(self.text.len());
        self.text.push('/');
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut n = i;
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        for &d in &digits[at..] {
            self.text.push(char::from(d));
        }
    }

    pub(super) fn pop(&mut self) {
        if let Some(start) = self.starts.pop() {
            self.text.truncate(start);
        }
    }

    pub(super) fn location(&self) -> String {
        if self.text.is_empty() {
            "/".to_string()
        } else {
            self.text.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn positions_are_written_in_decimal_and_popped_whole() {
        let mut p = super::Path::default();
        assert_eq!(p.location(), "/");
        p.push("fields");
        p.push_index(0);
        p.push_index(1234);
        assert_eq!(p.location(), "/fields/0/1234");
        p.pop();
        p.push_index(usize::MAX);
        assert_eq!(p.location(), format!("/fields/0/{}", usize::MAX));
        p.pop();
        p.pop();
        assert_eq!(p.location(), "/fields");
    }
}
