//! The e-mails vangnet sends about accounts: the invitation to set a
//! password, and the password-reset link, from one template per language
//! (`templates/mail/`): Dutch with English below, since the recipient's
//! language is not known yet.

use std::sync::LazyLock;

use minijinja::Environment;

use crate::domain::language::Language;
use crate::domain::text::text;
use crate::platform::services::Services;

/// The mails, one template per language (`templates/mail/<mail>/<language>.txt`).
const TEMPLATES: &[(&str, &str)] = &[
    (
        "invitation/nl.txt",
        include_str!("../../templates/mail/invitation/nl.txt"),
    ),
    (
        "invitation/en.txt",
        include_str!("../../templates/mail/invitation/en.txt"),
    ),
    (
        "reset/nl.txt",
        include_str!("../../templates/mail/reset/nl.txt"),
    ),
    (
        "reset/en.txt",
        include_str!("../../templates/mail/reset/en.txt"),
    ),
];

static ENVIRONMENT: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_keep_trailing_newline(true);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .unwrap_or_else(|e| panic!("mail template {name}: {e}"));
    }
    env
});

/// The mail `name` in every language, Dutch first, as the recipient's
/// language is not known yet: subjects joined by " / ", bodies by a rule.
fn compose(name: &str, link: &str) -> anyhow::Result<(String, String)> {
    let mut subjects = Vec::new();
    let mut bodies = Vec::new();
    for language in Language::ALL {
        subjects.push(text(language, &format!("mail.{name}.subject"), &[]));
        bodies.push(
            ENVIRONMENT
                .get_template(&format!("{name}/{}.txt", language.code()))?
                .render(minijinja::context! { link })?,
        );
    }
    Ok((subjects.join(" / "), bodies.join("\n---\n\n")))
}

fn invitation_text(link: &str) -> anyhow::Result<(String, String)> {
    compose("invitation", link)
}

fn reset_text(link: &str) -> anyhow::Result<(String, String)> {
    compose("reset", link)
}

async fn send(services: &Services, to: &str, composed: anyhow::Result<(String, String)>) -> bool {
    let (subject, body) = match composed {
        Ok(mail) => mail,
        Err(e) => {
            tracing::error!(error = %e, "cannot write e-mail");
            return false;
        }
    };
    let mail = crate::platform::mail::Mail {
        to: to.to_string(),
        subject,
        body,
    };
    match services.mailer.send(&mail).await {
        Ok(()) => true,
        Err(e) => {
            tracing::error!(error = %e, "cannot send e-mail");
            false
        }
    }
}

/// E-mails a new user the link to set their password; false when sending failed.
pub async fn send_invitation(services: &Services, to: &str, secret: &str) -> bool {
    let link = services
        .config
        .link(&format!("/wachtwoord-instellen?code={secret}"));
    send(services, to, invitation_text(&link)).await
}

/// E-mails a password-reset link; false when sending failed.
pub async fn send_reset(services: &Services, to: &str, secret: &str) -> bool {
    let link = services
        .config
        .link(&format!("/wachtwoord-instellen?code={secret}"));
    send(services, to, reset_text(&link)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mails_are_dutch_then_english_with_the_link_once() {
        let (subject, body) = invitation_text("https://vangnet.example/x?code=abc").unwrap();
        assert_eq!(subject, "Uw account voor vangnet / Your vangnet account");
        assert!(
            body.starts_with("Er is een account voor u aangemaakt in vangnet"),
            "{body}"
        );
        assert!(
            body.contains(
                "(24 uur geldig):\nhttps://vangnet.example/x?code=abc\n\n---\n\nAn account"
            ),
            "{body}"
        );
        assert!(body.ends_with("(valid for 24 hours).\n"), "{body}");
        assert_eq!(body.matches("code=abc").count(), 1);
        let (subject, body) = reset_text("L").unwrap();
        assert_eq!(
            subject,
            "Wachtwoord opnieuw instellen / Reset your vangnet password"
        );
        assert!(body.contains("negeren.\n\n---\n\nSomeone"), "{body}");
    }
}
