//! AWS Signature Version 4 verification for the Bedrock protocol: the signature in a request's
//! `Authorization: AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request,
//! SignedHeaders=..., Signature=...` header is recomputed with the `aws-sigv4` crate over what
//! arrived (method, path, query, the headers it names, body), with the same time (`x-amz-date`),
//! region and service, and compared.

use std::time::{Duration, SystemTime};

use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignableBody,
    SignableRequest, SignatureLocation, SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use http::HeaderMap;

/// What AWS answers (403 `InvalidSignatureException`) when the signatures differ.
pub(crate) const MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/// How far `x-amz-date` may be from the server's clock (AWS: 15 minutes either way).
pub(crate) const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// A request as it arrived.
pub(crate) struct Received<'a> {
    pub method: &'a str,
    /// Path and query exactly as sent (still percent-encoded).
    pub path_and_query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// Why a signature is refused, as the AWS exception and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rejection {
    /// `IncompleteSignatureException`: the header is not a well-formed SigV4 authorization.
    Incomplete(String),
    /// `InvalidSignatureException`: wrong signature, scope or time.
    Invalid(String),
}

/// The parts of an `AWS4-HMAC-SHA256` authorization header.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Authorization<'a> {
    pub access_key_id: &'a str,
    pub date: &'a str,
    pub region: &'a str,
    pub service: &'a str,
    pub signed_headers: Vec<&'a str>,
    pub signature: &'a str,
}

/// Parse `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`.
pub(crate) fn parse_authorization(value: &str) -> Result<Authorization<'_>, Rejection> {
    let incomplete = |what: &str| {
        Rejection::Incomplete(format!(
            "Authorization header requires '{what}' parameter. Authorization={value}"
        ))
    };
    let Some(rest) = value.strip_prefix("AWS4-HMAC-SHA256 ") else {
        return Err(Rejection::Incomplete(format!(
            "Authorization header requires the AWS4-HMAC-SHA256 algorithm. Authorization={value}"
        )));
    };
    let mut credential = None;
    let mut signed = None;
    let mut signature = None;
    for part in rest.split(',').map(str::trim) {
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let credential = credential.ok_or_else(|| incomplete("Credential"))?;
    let signed = signed
        .filter(|s| !s.is_empty())
        .ok_or_else(|| incomplete("SignedHeaders"))?;
    let signature = signature
        .filter(|s| !s.is_empty())
        .ok_or_else(|| incomplete("Signature"))?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, "aws4_request"] = scope[..] else {
        return Err(Rejection::Incomplete(format!(
            "Credential should be scoped to a valid region, service and date: expected AKID/YYYYMMDD/region/service/aws4_request, got {credential}"
        )));
    };
    Ok(Authorization {
        access_key_id,
        date,
        region,
        service,
        signed_headers: signed.split(';').collect(),
        signature,
    })
}

/// Check `req`'s signature with `secret`; `service` is the signing name this endpoint expects,
/// `now` the server's clock (`None` skips the clock-skew check).
pub(crate) fn verify(
    req: &Received<'_>,
    secret: &str,
    service: &str,
    now: Option<SystemTime>,
) -> Result<(), Rejection> {
    let auth_value = header(req.headers, "authorization").unwrap_or_default();
    let auth = parse_authorization(auth_value)?;
    let Some(amz_date) = header(req.headers, "x-amz-date") else {
        return Err(Rejection::Incomplete(format!(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={auth_value}"
        )));
    };
    let Some(time) = parse_amz_date(amz_date) else {
        return Err(Rejection::Incomplete(format!(
            "Date must be in ISO-8601 'basic format'. Got '{amz_date}'. See http://en.wikipedia.org/wiki/ISO_8601"
        )));
    };
    if auth.service != service {
        return Err(Rejection::Invalid(format!(
            "Credential should be scoped to correct service: '{service}'. "
        )));
    }
    if !amz_date.starts_with(auth.date) {
        return Err(Rejection::Invalid(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}', from '{amz_date}'.",
            auth.date,
            amz_date.get(..8).unwrap_or(amz_date)
        )));
    }
    if let Some(now) = now {
        let fmt = |t: SystemTime| format_amz_date(t);
        if time + MAX_SKEW < now {
            return Err(Rejection::Invalid(format!(
                "Signature expired: {amz_date} is now earlier than {} ({} - 15 min.)",
                fmt(now - MAX_SKEW),
                fmt(now)
            )));
        }
        if time > now + MAX_SKEW {
            return Err(Rejection::Invalid(format!(
                "Signature not yet current: {amz_date} is still later than {} ({} + 15 min.)",
                fmt(now + MAX_SKEW),
                fmt(now)
            )));
        }
    }

    // Recompute over exactly the headers the client says it signed. `x-amz-date` and the session
    // token are put back by the signer from the time and the identity.
    let mut headers: Vec<(&str, &str)> = Vec::new();
    for name in &auth.signed_headers {
        if matches!(*name, "x-amz-date" | "x-amz-security-token") {
            continue;
        }
        for v in req.headers.get_all(*name) {
            let Ok(v) = v.to_str() else {
                return Err(Rejection::Invalid(MISMATCH.to_owned()));
            };
            headers.push((name, v));
        }
    }
    let token = header(req.headers, "x-amz-security-token");
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Double;
    settings.payload_checksum_kind = PayloadChecksumKind::NoHeader;
    settings.signature_location = SignatureLocation::Headers;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Enabled;
    // only the named headers are passed in, so none needs excluding
    settings.excluded_headers = None;
    settings.session_token_mode = if auth.signed_headers.contains(&"x-amz-security-token") {
        SessionTokenMode::Include
    } else {
        SessionTokenMode::Exclude
    };
    let identity = aws_credential_types::Credentials::new(
        auth.access_key_id,
        secret,
        token.map(str::to_owned),
        None,
        "cloudfit-emulator",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(auth.region)
        .name(auth.service)
        .time(time)
        .settings(settings)
        .build()
        .map_err(|_| Rejection::Invalid(MISMATCH.to_owned()))?
        .into();
    let host = header(req.headers, "host").unwrap_or("localhost");
    let url = format!("http://{host}{}", req.path_and_query);
    let body = if header(req.headers, "x-amz-content-sha256") == Some("UNSIGNED-PAYLOAD") {
        SignableBody::UnsignedPayload
    } else {
        SignableBody::Bytes(req.body)
    };
    let signable = SignableRequest::new(req.method, url, headers.into_iter(), body)
        .map_err(|_| Rejection::Invalid(MISMATCH.to_owned()))?;
    let (_, expected) = sign(signable, &params)
        .map_err(|_| Rejection::Invalid(MISMATCH.to_owned()))?
        .into_parts();
    if constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
        Ok(())
    } else {
        Err(Rejection::Invalid(MISMATCH.to_owned()))
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `YYYYMMDDTHHMMSSZ` → time.
pub(crate) fn parse_amz_date(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())
            .flatten()
    };
    let (y, mo, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (h, mi, se) = (num(9..11)?, num(11..13)?, num(13..15)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).ok()?))
}

/// Time → `YYYYMMDDTHHMMSSZ`.
pub(crate) fn format_amz_date(t: SystemTime) -> String {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let secs = i64::try_from(secs).unwrap_or(0);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let r = secs.rem_euclid(86_400);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        r / 3600,
        r % 3600 / 60,
        r % 60
    )
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                http::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    /// `get-vanilla` from the AWS SigV4 test suite.
    fn vanilla(signature: &str) -> HeaderMap {
        headers(&[
            ("host", "example.amazonaws.com"),
            ("x-amz-date", "20150830T123600Z"),
            ("authorization", &format!("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature={signature}")),
        ])
    }

    #[test]
    fn the_published_get_vanilla_vector_verifies() {
        let good = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
        let h = vanilla(good);
        let req = Received {
            method: "GET",
            path_and_query: "/",
            headers: &h,
            body: b"",
        };
        assert_eq!(verify(&req, SECRET, "service", None), Ok(()));
        assert_eq!(
            verify(&req, "wrong", "service", None),
            Err(Rejection::Invalid(MISMATCH.to_owned()))
        );
        assert!(matches!(
            verify(&req, SECRET, "bedrock", None),
            Err(Rejection::Invalid(m)) if m.contains("correct service: 'bedrock'")
        ));
        let bad = vanilla(&good.replace('5', "6"));
        let req = Received {
            headers: &bad,
            ..req
        };
        assert_eq!(
            verify(&req, SECRET, "service", None),
            Err(Rejection::Invalid(MISMATCH.to_owned()))
        );
    }

    /// Sign like an AWS SDK (host, content-type, a session token), then check what the verifier
    /// accepts and refuses.
    #[test]
    fn a_signed_post_verifies_and_any_tampering_does_not() {
        let time = parse_amz_date("20250102T030405Z").unwrap();
        let path = "/model/amazon.nova-lite-v1%3A0/converse-stream?x=1&a=b%20c";
        let body = br#"{"messages":[{"role":"user","content":[{"text":"hi"}]}]}"#;
        let identity = aws_credential_types::Credentials::new(
            "AKIDTEST",
            SECRET,
            Some("session-token".to_owned()),
            None,
            "test",
        )
        .into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region("eu-central-1")
            .name("bedrock")
            .time(time)
            .settings(SigningSettings::default())
            .build()
            .unwrap()
            .into();
        let url = format!("http://127.0.0.1:4000{path}");
        let to_sign = [
            ("host", "127.0.0.1:4000"),
            ("content-type", "application/json"),
        ];
        let signable =
            SignableRequest::new("POST", &url, to_sign.into_iter(), SignableBody::Bytes(body))
                .unwrap();
        let (instructions, _) = sign(signable, &params).unwrap().into_parts();
        let (signed, _) = instructions.into_parts();
        let mut h = headers(&to_sign);
        h.insert("user-agent", HeaderValue::from_static("test/1.0"));
        for s in &signed {
            h.insert(
                http::header::HeaderName::from_bytes(s.name().as_bytes()).unwrap(),
                HeaderValue::from_str(s.value()).unwrap(),
            );
        }
        let auth = parse_authorization(header(&h, "authorization").unwrap()).unwrap();
        assert_eq!(
            auth.signed_headers,
            ["content-type", "host", "x-amz-date", "x-amz-security-token"]
        );
        let req = Received {
            method: "POST",
            path_and_query: path,
            headers: &h,
            body,
        };
        assert_eq!(verify(&req, SECRET, "bedrock", Some(time)), Ok(()));
        // unsigned headers may change on the way (user-agent)
        let mut other_agent = h.clone();
        other_agent.insert("user-agent", HeaderValue::from_static("proxy/2"));
        let ok = Received {
            headers: &other_agent,
            ..req
        };
        assert_eq!(verify(&ok, SECRET, "bedrock", Some(time)), Ok(()));

        let mismatch = Err(Rejection::Invalid(MISMATCH.to_owned()));
        assert_eq!(verify(&req, "other", "bedrock", Some(time)), mismatch);
        let tampered_body = Received {
            body: br#"{"messages":[]}"#,
            ..req
        };
        assert_eq!(
            verify(&tampered_body, SECRET, "bedrock", Some(time)),
            mismatch
        );
        let other_path = Received {
            path_and_query: "/model/amazon.nova-pro-v1%3A0/converse-stream?x=1&a=b%20c",
            ..req
        };
        assert_eq!(verify(&other_path, SECRET, "bedrock", Some(time)), mismatch);
        let other_query = Received {
            path_and_query: "/model/amazon.nova-lite-v1%3A0/converse-stream?x=2&a=b%20c",
            ..req
        };
        assert_eq!(
            verify(&other_query, SECRET, "bedrock", Some(time)),
            mismatch
        );
        let post_as_put = Received {
            method: "PUT",
            ..req
        };
        assert_eq!(
            verify(&post_as_put, SECRET, "bedrock", Some(time)),
            mismatch
        );
        let mut other_type = h.clone();
        other_type.insert("content-type", HeaderValue::from_static("text/plain"));
        let other_type = Received {
            headers: &other_type,
            ..req
        };
        assert_eq!(verify(&other_type, SECRET, "bedrock", Some(time)), mismatch);
        let mut other_token = h.clone();
        other_token.insert("x-amz-security-token", HeaderValue::from_static("stolen"));
        let other_token = Received {
            headers: &other_token,
            ..req
        };
        assert_eq!(
            verify(&other_token, SECRET, "bedrock", Some(time)),
            mismatch
        );

        // the clock: 15 minutes either way
        let late = time + MAX_SKEW + Duration::from_secs(1);
        assert!(matches!(
            verify(&req, SECRET, "bedrock", Some(late)),
            Err(Rejection::Invalid(m)) if m.starts_with("Signature expired: 20250102T030405Z is now earlier than 20250102T030406Z (20250102T031906Z - 15 min.)")
        ));
        let early = time - MAX_SKEW - Duration::from_secs(1);
        assert!(matches!(
            verify(&req, SECRET, "bedrock", Some(early)),
            Err(Rejection::Invalid(m)) if m.starts_with("Signature not yet current")
        ));
        assert_eq!(
            verify(&req, SECRET, "bedrock", Some(time + MAX_SKEW)),
            Ok(())
        );
    }

    #[test]
    fn malformed_authorizations_are_incomplete() {
        for bad in [
            "Bearer x",
            "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=ab",
            "AWS4-HMAC-SHA256 Credential=A/20250101/us-east-1/bedrock/aws4_request, Signature=ab",
            "AWS4-HMAC-SHA256 Credential=A/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=host",
            "AWS4-HMAC-SHA256 Credential=A/20250101/bedrock, SignedHeaders=host, Signature=ab",
        ] {
            assert!(
                matches!(parse_authorization(bad), Err(Rejection::Incomplete(_))),
                "{bad}"
            );
        }
        let h = headers(&[("authorization", "AWS4-HMAC-SHA256 Credential=A/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=ab")]);
        let req = Received {
            method: "POST",
            path_and_query: "/",
            headers: &h,
            body: b"",
        };
        assert!(matches!(
            verify(&req, SECRET, "bedrock", None),
            Err(Rejection::Incomplete(m)) if m.contains("X-Amz-Date")
        ));
    }

    #[test]
    fn amz_dates_round_trip() {
        for s in [
            "19700101T000000Z",
            "20150830T123600Z",
            "20000229T235959Z",
            "20991231T000001Z",
        ] {
            assert_eq!(format_amz_date(parse_amz_date(s).unwrap()), s);
        }
        assert_eq!(
            parse_amz_date("20150830T123600Z"),
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_440_938_160))
        );
        for bad in [
            "2015-08-30T12:36:00Z",
            "20151330T123600Z",
            "20150830T123600",
        ] {
            assert_eq!(parse_amz_date(bad), None, "{bad}");
        }
    }
}
