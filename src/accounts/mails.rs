//! The e-mails vangnet sends about accounts: the invitation to set a
//! password, and the password-reset link. Written in Dutch with English
//! below, since the recipient's language is not known yet.

use crate::platform::services::Services;

fn invitation_text(link: &str) -> (String, String) {
    (
        "Uw account voor vangnet / Your vangnet account".to_string(),
        format!(
            "Er is een account voor u aangemaakt in vangnet, het landelijk register van \
             harm-reductionvoorzieningen.\n\nStel uw wachtwoord in via deze link (24 uur geldig):\n{link}\n\n\
             ---\n\nAn account was created for you in vangnet. Set your password with the link \
             above (valid for 24 hours).\n"
        ),
    )
}

fn reset_text(link: &str) -> (String, String) {
    (
        "Wachtwoord opnieuw instellen / Reset your vangnet password".to_string(),
        format!(
            "Iemand (hopelijk u) vroeg een nieuw wachtwoord aan voor vangnet.\n\n\
             Stel een nieuw wachtwoord in via deze link (24 uur geldig, één keer te gebruiken):\n{link}\n\n\
             Vroeg u dit niet aan? Dan kunt u dit bericht negeren.\n\n---\n\n\
             Someone (hopefully you) asked to reset your vangnet password. Use the link above \
             (valid for 24 hours, once). If it was not you, ignore this message.\n"
        ),
    )
}

async fn send(services: &Services, to: &str, (subject, body): (String, String)) -> bool {
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
