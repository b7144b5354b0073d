//! IAM's wildcard matching, the one implementation the policy checks share (governance
//! rules, SCP evaluation): `*` any run of characters, `?` any one character; action names
//! match ignoring ASCII case.
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>

/// IAM wildcard matching: `*` any run of characters, `?` any one character.
pub fn glob(pattern: &str, text: &str) -> bool {
    glob_bytes(pattern.as_bytes(), text.as_bytes(), false)
}

/// [`glob`] ignoring ASCII case, as action names match.
pub fn glob_ignore_case(pattern: &str, text: &str) -> bool {
    glob_bytes(pattern.as_bytes(), text.as_bytes(), true)
}

/// Wildcard matching over bytes (no allocation: it runs for every needed action against
/// every statement above a stack); `?` takes one whole UTF-8 character.
fn glob_bytes(p: &[u8], t: &[u8], ignore_case: bool) -> bool {
    let char_len = |at: usize| 1 + t[at + 1..].iter().take_while(|b| (**b & 0xC0) == 0x80).count();
    let same = |a: u8, b: u8| if ignore_case { a.eq_ignore_ascii_case(&b) } else { a == b };
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(b'?') => {
                pi += 1;
                ti += char_len(ti);
            }
            Some(&c) if same(c, t[ti]) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    let next = st + char_len(st);
                    pi = sp + 1;
                    ti = next;
                    star = Some((sp, next));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_as_iam_does() {
        assert!(glob("proton:*", "proton:CreateEnvironmentAccountConnection"));
        assert!(glob("proton:Create*Template", "proton:CreateServiceTemplate"));
        assert!(!glob("proton:Create*Template", "proton:CreateEnvironmentAccountConnection"));
        assert!(glob("s3:Get?bject", "s3:GetObject"));
        assert!(glob("*", ""));
        assert!(!glob("a", ""));
        assert!(glob("arn:aws:s3:::caf?", "arn:aws:s3:::café"));
        assert!(glob_ignore_case("PROTON:create*", "proton:CreateService"));
        assert!(!glob("PROTON:create*", "proton:CreateService"));
    }
}
