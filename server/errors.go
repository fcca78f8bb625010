package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/apiclab/apic/generated/validation"
)

// APIError is an error the service answers with: an HTTP status and the vendor body
// {"error_code": "APIG.xxxx", "error_msg": "..."}.
type APIError struct {
	Status int
	Code   string
	Msg    string
}

func (e *APIError) Error() string { return e.Code + ": " + e.Msg }

func apiError(status int, code, format string, args ...any) *APIError {
	return &APIError{Status: status, Code: code, Msg: fmt.Sprintf(format, args...)}
}

// The vendor's error codes the emulator answers with.
const (
	CodeParameter       = "APIG.2000" // parameter error (malformed body, unknown route parameter)
	CodeMissing         = "APIG.2001" // a required parameter is missing
	CodeInvalid         = "APIG.2011" // a parameter has an invalid value
	CodeBadToken        = "APIG.1002" // no or bad token
	CodeBadSignature    = "APIG.0301" // AK/SK signature wrong
	CodeExpired         = "APIG.0303" // X-Sdk-Date too far off
	CodeForbidden       = "APIG.1005" // no permission
	CodeGroupMissing    = "APIG.3001"
	CodeAPIMissing      = "APIG.3002"
	CodeAppMissing      = "APIG.3004"
	CodeFunctionMissing = "APIG.3019"
	CodeVPCMissing      = "APIG.3023"
	CodeInstanceMissing = "APIG.3030"
	CodeAuthorizerGone  = "APIG.3081"
	CodeNameExists      = "APIG.3202"
	CodeRouteExists     = "APIG.3301"
	CodeNoRoute         = "APIG.0101" // the gateway's answer for a path it does not serve
	CodeSystem          = "APIG.9999"
	CodeThrottled       = "APIG.0308" // the gateway throttled the request (429)
)

// invalid is the vendor's message for a bad value, naming the parameter by its JSON path.
func invalid(path, detail string) *APIError {
	msg := "Invalid parameter value,parameterName:" + path + ". Please refer to the support documentation"
	if detail != "" {
		msg += " (" + detail + ")"
	}
	return &APIError{Status: http.StatusBadRequest, Code: CodeInvalid, Msg: msg}
}

func missing(path string) *APIError {
	return &APIError{Status: http.StatusBadRequest, Code: CodeMissing,
		Msg: "Missing required parameters,parameterName:" + path + ". Please refer to the support documentation"}
}

// fromViolations turns the validators' report into the vendor error: a missing member is
// APIG.2001, anything else APIG.2011, for the first violation in path order; the message
// names every other broken rule too.
func fromViolations(v validation.Errors) *APIError {
	if len(v) == 0 {
		return invalid("", "")
	}
	// Report the root cause: a missing member first, then a member of the wrong type (whose
	// zero value may break rules elsewhere, such as a reference to it), then the first rule.
	first := v[0]
	for _, x := range v {
		if x.Rule == validation.RuleRequired || x.Rule == validation.RuleRequiredIf {
			first = x
			break
		}
		if (x.Rule == validation.RuleType || x.Rule == validation.RuleNullable) && !validation.Structural(first.Rule) {
			first = x
		}
	}
	detail := make([]string, 0, len(v))
	for _, x := range v {
		detail = append(detail, x.Path+": "+x.Message)
	}
	if first.Rule == validation.RuleRequired || first.Rule == validation.RuleRequiredIf {
		e := missing(first.Path)
		e.Msg += " (" + strings.Join(detail, "; ") + ")"
		return e
	}
	return invalid(first.Path, strings.Join(detail, "; "))
}

// errorHandler writes every error as the vendor body. Errors that are not the service's own
// (a panic, a store failure) are logged and answered with APIG.9999, never with their text.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		e := toAPIError(err)
		if c.Request().Context().Err() == context.DeadlineExceeded && e.Status >= 500 {
			// The request's deadline passed (a store that does not answer): whatever failed
			// failed because of it.
			e = timedOut
		}
		if errors.Is(err, context.Canceled) {
			// The caller went away; there is nobody to answer and nothing to report.
			return
		}
		var own *APIError
		if e.Status >= 500 && !errors.As(err, &own) { // the service's own answers (an injected fault) are in the request log
			log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path,
				"request_id", c.Response().Header().Get(echo.HeaderXRequestID), "error", err)
		}
		body, _ := json.Marshal(map[string]string{"error_code": e.Code, "error_msg": e.Msg})
		if err := c.JSONBlob(e.Status, body); err != nil {
			log.Error("writing error response", "error", err)
		}
	}
}

// timedOut answers a request whose deadline passed. A write that timed out may still be
// committed afterwards: the answer says so, and it is not a success.
var timedOut = &APIError{Status: http.StatusServiceUnavailable, Code: CodeSystem,
	Msg: "The request did not complete within its deadline (the store did not answer); a create or modify may or may not have been applied"}

// badParamPrefix starts the generated router's message for a parameter it cannot parse.
const badParamPrefix = "Invalid format for parameter "

func toAPIError(err error) *APIError {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	if v, ok := validation.AsErrors(err); ok {
		return fromViolations(v)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return timedOut
	}
	var syn *validation.SyntaxError
	if errors.As(err, &syn) {
		return apiError(http.StatusBadRequest, CodeParameter, "The request body is not valid JSON: %v", syn.Err)
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusNotFound:
			return apiError(http.StatusNotFound, CodeNoRoute, "No API matches the request path")
		case http.StatusMethodNotAllowed:
			return apiError(http.StatusMethodNotAllowed, CodeNoRoute, "The request method is not allowed for this path")
		case http.StatusRequestEntityTooLarge:
			return apiError(http.StatusRequestEntityTooLarge, CodeParameter, "The request body exceeds %d bytes", MaxBodyBytes)
		case http.StatusUnsupportedMediaType:
			return apiError(http.StatusUnsupportedMediaType, CodeParameter, "The request body must be application/json")
		}
		if m, ok := he.Message.(string); ok && he.Code == http.StatusBadRequest {
			// The generated router's message for a query or path value of the wrong type.
			if name, detail, ok := strings.Cut(strings.TrimPrefix(m, badParamPrefix), ": "); ok && strings.HasPrefix(m, badParamPrefix) {
				return invalid(name, detail)
			}
		}
		if he.Code < 500 {
			return apiError(he.Code, CodeParameter, "%v", he.Message)
		}
	}
	return apiError(http.StatusInternalServerError, CodeSystem, "System error")
}
