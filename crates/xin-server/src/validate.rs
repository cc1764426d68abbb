//! Input rules shared by every route. Each failure names the field and the rule.

use xin_proto::DeviceInfo;

use crate::error::{ApiError, ApiResult};

pub fn handle(handle: &str) -> ApiResult<()> {
    let ok_len = (3..=32).contains(&handle.len());
    let mut chars = handle.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = handle
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok_len && starts_with_letter && rest_ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "handle: 3–32 letters, digits or _, starting with a letter",
        ))
    }
}

/// Returns the phone number in canonical form (digits, with a leading + when given).
pub fn phone(phone: &str) -> ApiResult<String> {
    let trimmed: String = phone
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
        .collect();
    let (plus, digits) = match trimmed.strip_prefix('+') {
        Some(rest) => ("+", rest),
        None => ("", trimmed.as_str()),
    };
    if (6..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) {
        Ok(format!("{plus}{digits}"))
    } else {
        Err(ApiError::invalid(
            "phone: 6–15 digits, optionally starting with +",
        ))
    }
}

pub fn text(field: &str, value: &str, max_chars: usize) -> ApiResult<()> {
    let n = value.trim().chars().count();
    if n == 0 || n > max_chars || value.chars().any(char::is_control) {
        return Err(ApiError::invalid(format!(
            "{field}: 1–{max_chars} characters, no control characters"
        )));
    }
    Ok(())
}

pub fn password(password: &str) -> ApiResult<()> {
    let n = password.chars().count();
    if !(8..=128).contains(&n) {
        return Err(ApiError::invalid("password: 8–128 characters"));
    }
    Ok(())
}

pub fn device(device: &DeviceInfo) -> ApiResult<()> {
    text("device.name", &device.name, 64)?;
    text("device.os", &device.os, 64)?;
    text("device.app_version", &device.app_version, 32)
}
