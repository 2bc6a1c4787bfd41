//! Makes the OpenAPI document say what the API really sends when it refuses: every error is an
//! RFC 9457 problem document (`application/problem+json`), and every operation lists the
//! refusals any operation of its kind can meet (an unreadable body, no or the wrong sign-in, an
//! id that is not there, invalid fields, the database away for a moment), not only the ones its
//! handler names. Done once here rather than repeated on some 200 handlers.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response};

/// The problem document's media type (RFC 9457 §3).
const PROBLEM_JSON: &str = "application/problem+json";

/// Rewrites error responses as problem documents and adds the ones every operation can meet.
pub struct ProblemResponses;

impl utoipa::Modify for ProblemResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                (item.get.as_mut(), false),
                (item.put.as_mut(), true),
                (item.post.as_mut(), true),
                (item.delete.as_mut(), true),
                (item.patch.as_mut(), true),
            ];
            for (operation, writes) in operations {
                if let Some(operation) = operation {
                    complete(operation, writes);
                }
            }
        }
    }
}

/// A problem response with `description`.
fn problem(description: &str) -> RefOr<Response> {
    let mut response = Response::new(description);
    response.content.insert(
        PROBLEM_JSON.into(),
        Content::new(Some(RefOr::Ref(Ref::from_schema_name("Problem")))),
    );
    RefOr::T(response)
}

/// Completes one operation's responses; `writes` for the methods that change something, which
/// may need an `Idempotency-Key` and so can be refused as unreadable without one.
fn complete(operation: &mut Operation, writes: bool) {
    // Existing error responses: the same schema, under the media type actually sent.
    for (status, response) in operation.responses.responses.iter_mut() {
        let is_error = status.starts_with('4') || status.starts_with('5');
        if let (true, RefOr::T(response)) = (is_error, response) {
            if let Some(content) = response.content.shift_remove("application/json") {
                response.content.insert(PROBLEM_JSON.into(), content);
            }
        }
    }
    let params = operation.parameters.as_deref().unwrap_or_default();
    let has_path = params
        .iter()
        .any(|p| matches!(p.parameter_in, ParameterIn::Path));
    let has_query = params
        .iter()
        .any(|p| matches!(p.parameter_in, ParameterIn::Query));
    let has_body = operation.request_body.is_some();
    let signed_in = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let mut add = |status: &str, description: &str, applies: bool| {
        if applies && !operation.responses.responses.contains_key(status) {
            operation
                .responses
                .responses
                .insert(status.into(), problem(description));
        }
    };
    add(
        "400",
        "The request could not be read (or needs an Idempotency-Key)",
        has_body || has_query || writes,
    );
    add("401", "Not signed in", signed_in);
    add("403", "The caller's role does not allow this", signed_in);
    add(
        "404",
        "Nothing at this address, or not the caller's to see",
        has_path,
    );
    add("413", "The request body is too large", has_body);
    add("415", "The body is not JSON", has_body);
    add(
        "422",
        "Invalid fields, each named",
        has_body || has_query || has_path,
    );
    add(
        "503",
        "The database is unavailable for a moment: retry (with the same Idempotency-Key, if any)",
        true,
    );
}
