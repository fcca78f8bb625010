// Package selftest proves the conformance suite's strength: it puts deliberate deviations
// from the service's contract between the suite and a correct emulator, one at a time, and
// checks that the suite notices each one (some case fails).
//
// A deviation wraps the emulator's HTTP handler: it changes what the emulator answers (a
// member missing, an id of another form, a wrong status or error code), or what reaches it (a
// lenient gateway that repairs a bad body, ignores a near-miss credential or forgets a
// reference), or answers in its place.
package selftest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apiclab/apic/conformance"
	"github.com/apiclab/apic/generated/sign"
)

// Deviation is one way a service can break its contract.
type Deviation struct {
	Category string // success contract, error contract, validation, state, auth, transport
	Name     string
	Wrap     func(next http.Handler) http.Handler
}

// noticedAs names the deviations that must be noticed as a finding of their own kind (a
// Result's Kind) rather than as a failed case.
var noticedAs = map[string]string{
	"success answers carry a member no page documents": conformance.KindUndocumented,
}

// Kind is the kind of finding the deviation must be noticed as: "" for a failed case.
func (d Deviation) Kind() string { return noticedAs[d.Name] }

// The emulator's fixtures, as the in-process target uses them.
const (
	token      = "emulator-token"
	otherToken = "other-project-token"
	ak, sk     = "EMULATORACCESSKEY001", "emulator-secret-key-0001"
	project    = "73d69ae0cfcf460190522d06b60f05ad"
	knownAuth  = "0d982c1ac3da493dae47627b6439fc5c" // an authorizer of the fixtures
	knownGroup = "c77f5e81d9cb4424bf704ef2b0ac7600"
)

var (
	romaCreate = regexp.MustCompile(`^/v2/[^/]+/apic/instances/[^/]+/apis$`)
	romaItem   = regexp.MustCompile(`^/v2/[^/]+/apic/instances/[^/]+/apis/[^/]+$`)
	romaV1     = regexp.MustCompile(`^/v1/[^/]+/apic/instances/[^/]+/apis/[^/]+$`)
	apigCreate = regexp.MustCompile(`^/v1\.0/apigw/apis$`)
	apigItem   = regexp.MustCompile(`^/v1\.0/apigw/apis/[^/]+$`)
)

func is(method string, path *regexp.Regexp) func(*http.Request) bool {
	return func(r *http.Request) bool { return r.Method == method && path.MatchString(r.URL.Path) }
}

func creates(r *http.Request) bool {
	return is(http.MethodPost, romaCreate)(r) || is(http.MethodPost, apigCreate)(r)
}

// answer rewrites the answers to the requests match selects: edit gets the status, the
// headers and the decoded JSON body, and returns the status to send.
func answer(match func(*http.Request) bool, edit func(status int, h http.Header, body any) (int, any)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !match(r) {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			var body any
			_ = json.Unmarshal(rec.Body.Bytes(), &body)
			status, body := edit(rec.Code, rec.Header(), body)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			var data []byte
			if body != nil {
				data, _ = json.Marshal(body)
			}
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			w.WriteHeader(status)
			w.Write(data) //nolint:errcheck
		})
	}
}

// member edits one member of successful answers.
func member(match func(*http.Request) bool, edit func(m map[string]any)) func(http.Handler) http.Handler {
	return answer(match, func(status int, _ http.Header, body any) (int, any) {
		if m, ok := body.(map[string]any); ok && status < 300 {
			edit(m)
		}
		return status, body
	})
}

// errorCode replaces the answer to an error with code from by status and code to.
func errorCode(from string, status int, to string) func(http.Handler) http.Handler {
	return answer(func(*http.Request) bool { return true }, func(s int, _ http.Header, body any) (int, any) {
		if m, ok := body.(map[string]any); ok && m["error_code"] == from {
			m["error_code"] = to
			return status, m
		}
		return s, body
	})
}

// repair is a lenient gateway: it edits a create body before the emulator sees it.
func repair(edit func(m map[string]any)) func(http.Handler) http.Handler {
	return request(creates, func(r *http.Request, body []byte) []byte {
		var m map[string]any
		if json.Unmarshal(body, &m) != nil || m == nil {
			return body
		}
		edit(m)
		out, _ := json.Marshal(m)
		return out
	})
}

// request lets edit change a request (and its body) before the emulator sees it.
func request(match func(*http.Request) bool, edit func(r *http.Request, body []byte) []byte) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if match(r) {
				body, _ := io.ReadAll(r.Body)
				body = edit(r, body)
				r.Body = io.NopCloser(bytes.NewReader(body))
				r.ContentLength = int64(len(body))
			}
			next.ServeHTTP(w, r)
		})
	}
}

// resign is a gateway that does not check what a signature covers: it signs the request as it
// arrives, with a fresh date, after edit.
func resign(edit func(r *http.Request)) func(http.Handler) http.Handler {
	return request(func(r *http.Request) bool { return strings.HasPrefix(r.Header.Get("Authorization"), sign.Algorithm) },
		func(r *http.Request, body []byte) []byte {
			if edit != nil {
				edit(r)
			}
			r.Header.Del("Authorization")
			sign.Sign(r, body, ak, sk, time.Now())
			return body
		})
}

func strLen(m map[string]any, k string) int { s, _ := m[k].(string); return len([]rune(s)) }

// refuse answers a create whose body bad selects with 400 APIG.2011 naming param, as a
// stricter gateway would.
func refuse(param string, bad func(m map[string]any) bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if creates(r) || r.Method == http.MethodPut {
				body, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(body))
				var m map[string]any
				if json.Unmarshal(body, &m) == nil && m != nil && bad(m) {
					vendorError(w, http.StatusBadRequest, "APIG.2011", "Invalid parameter value,parameterName:"+param)
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

func vendorError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "0123456789abcdef0123456789abcdef")
	w.WriteHeader(status)
	data, _ := json.Marshal(map[string]string{"error_code": code, "error_msg": msg})
	w.Write(data) //nolint:errcheck
}

// scoped is a service whose uniqueness rule is wider than documented: a create that match
// selects and that shares key(doc) with an API it created before in another scope(doc) is
// refused with code, as taken. A body without a scope ("": no group id) is left to the
// service, which refuses it for that, as a real one checks its parameters first.
func scoped(match func(*http.Request) bool, key, scope func(m map[string]any) string, code string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		var mu sync.Mutex
		seen := map[string]string{} // key -> the scope it was created in
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !match(r) {
				next.ServeHTTP(w, r)
				return
			}
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			var m map[string]any
			_ = json.Unmarshal(body, &m)
			k := key(m)
			mu.Lock()
			other, taken := seen[k]
			mu.Unlock()
			if s := scope(m); taken && s != "" && other != s {
				vendorError(w, http.StatusBadRequest, code, "The API already exists")
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			if rec.Code < 300 {
				mu.Lock()
				seen[k] = scope(m)
				mu.Unlock()
			}
			copyAnswer(w, rec)
		})
	}
}

func copyAnswer(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes()) //nolint:errcheck
}

// stale is a service whose modify leaves what it changed taken: after a successful modify,
// a create with the API's old name (or old route) is refused with code.
func stale(key func(m map[string]any) string, code string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		var mu sync.Mutex
		old := map[string]bool{}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.Method == http.MethodPut && (romaItem.MatchString(r.URL.Path) || apigItem.MatchString(r.URL.Path)):
				// What the API was: a show with the same credentials.
				get := httptest.NewRequest(http.MethodGet, r.URL.Path, nil)
				get.Header = r.Header.Clone()
				get.Header.Del("Content-Type")
				before := httptest.NewRecorder()
				next.ServeHTTP(before, get)
				var m map[string]any
				_ = json.Unmarshal(before.Body.Bytes(), &m)
				rec := httptest.NewRecorder()
				next.ServeHTTP(rec, r)
				if rec.Code < 300 && before.Code < 300 {
					mu.Lock()
					old[key(m)] = true
					mu.Unlock()
				}
				copyAnswer(w, rec)
				return
			case creates(r):
				body, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(body))
				var m map[string]any
				_ = json.Unmarshal(body, &m)
				mu.Lock()
				taken := old[key(m)]
				mu.Unlock()
				if taken {
					vendorError(w, http.StatusBadRequest, code, "The API already exists")
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

func nameKey(m map[string]any) string   { return fmt.Sprint(m["name"]) }
func groupKey(m map[string]any) string  { g, _ := m["group_id"].(string); return g }
func uriKey(m map[string]any) string    { return fmt.Sprint(m["group_id"], " ", m["req_uri"]) }
func methodKey(m map[string]any) string { return strings.ToUpper(fmt.Sprint(m["req_method"])) }
func modeKey(m map[string]any) string {
	if m["match_mode"] == nil {
		return "NORMAL"
	}
	return strings.ToUpper(fmt.Sprint(m["match_mode"]))
}

// pathKey is a method and path in a group; routeKey adds the match mode.
func pathKey(m map[string]any) string  { return uriKey(m) + " " + methodKey(m) }
func routeKey(m map[string]any) string { return pathKey(m) + " " + modeKey(m) }

// routeAnyGroup is a route (method, path and match mode), whatever its group.
func routeAnyGroup(m map[string]any) string {
	return methodKey(m) + " " + fmt.Sprint(m["req_uri"]) + " " + modeKey(m)
}

// items applies edit to every object in the array member k of m.
func items(m map[string]any, k string, edit func(map[string]any)) {
	list, _ := m[k].([]any)
	for _, x := range list {
		if o, ok := x.(map[string]any); ok {
			edit(o)
		}
	}
}

// sub is the object member k of m (nil when there is none).
func sub(m map[string]any, k string) map[string]any { o, _ := m[k].(map[string]any); return o }

// Deviations lists every deviation the suite must notice.
func Deviations() []Deviation {
	anyRequest := func(*http.Request) bool { return true }
	success := "success contract"
	errs := "error contract"
	return []Deviation{
		// The success contract: what a successful answer holds.
		{success, "create answers 200 instead of 201", answer(creates, func(s int, _ http.Header, b any) (int, any) {
			if s == http.StatusCreated {
				s = http.StatusOK
			}
			return s, b
		})},
		{success, "create answer lacks register_time", member(creates, func(m map[string]any) { delete(m, "register_time") })},
		{success, "v1 query lacks group_name", member(is(http.MethodGet, romaV1), func(m map[string]any) { delete(m, "group_name") })},
		{success, "create answer renames req_uri to uri", member(creates, func(m map[string]any) { m["uri"] = m["req_uri"]; delete(m, "req_uri") })},
		{success, "ids are upper-case hex", member(creates, func(m map[string]any) { id, _ := m["id"].(string); m["id"] = strings.ToUpper(id) })},
		{success, "ids are 24 hex digits", member(creates, func(m map[string]any) { id, _ := m["id"].(string); m["id"] = id[:min(24, len(id))] })},
		{success, "times are not RFC 3339", member(creates, func(m map[string]any) { m["register_time"] = "2026/11/24 10:00:00" })},
		{success, "create answer has another name than the one sent", member(creates, func(m map[string]any) { m["name"] = "renamed" })},
		{success, "v1 query answers another req_uri", member(is(http.MethodGet, romaV1), func(m map[string]any) { m["req_uri"] = "/elsewhere" })},
		{success, "show v2 answers 201", answer(is(http.MethodGet, romaItem), func(s int, _ http.Header, b any) (int, any) {
			if s == http.StatusOK {
				s = http.StatusCreated
			}
			return s, b
		})},
		{success, "delete answers 200 with a body", answer(is(http.MethodDelete, romaItem), func(s int, _ http.Header, b any) (int, any) {
			if s == http.StatusNoContent {
				return http.StatusOK, map[string]any{"deleted": true}
			}
			return s, b
		})},
		{success, "list total counts one more", member(is(http.MethodGet, romaCreate), func(m map[string]any) {
			if n, ok := m["total"].(float64); ok {
				m["total"] = n + 1
			}
		})},
		{success, "a type is a string", member(creates, func(m map[string]any) { m["type"] = "1" })},
		{success, "success answers carry a member no page documents", member(anyRequest, func(m map[string]any) { m["request_count"] = 0 })},
		{success, "create answer renames remark to description", member(creates, func(m map[string]any) {
			if v, ok := m["remark"]; ok {
				m["description"] = v
				delete(m, "remark")
			}
		})},
		{success, "an omitted valid_enable is answered as 1, not its default 2", member(anyRequest, func(m map[string]any) {
			items(m, "req_params", func(p map[string]any) {
				if p["valid_enable"] == 2.0 {
					p["valid_enable"] = 1
				}
			})
		})},
		{success, "v1 query drops the policy backends", member(is(http.MethodGet, romaV1), func(m map[string]any) { delete(m, "policy_https") })},
		{success, "list items answer another req_uri", member(anyRequest, func(m map[string]any) {
			items(m, "apis", func(a map[string]any) { a["req_uri"] = "/listed" })
		})},
		{success, "show v2 answers the update_time of the create", member(is(http.MethodGet, romaItem), func(m map[string]any) { m["update_time"] = m["register_time"] })},

		// The error contract: codes, statuses and bodies of the errors.
		{errs, "unknown id answers APIG.3001", errorCode("APIG.3002", http.StatusNotFound, "APIG.3001")},
		{errs, "duplicate name answers APIG.3301", errorCode("APIG.3202", http.StatusBadRequest, "APIG.3301")},
		{errs, "duplicate route answers 409", errorCode("APIG.3301", http.StatusConflict, "APIG.3301")},
		{errs, "missing token answers 403", errorCode("APIG.1002", http.StatusForbidden, "APIG.1002")},
		{errs, "error bodies lack error_msg", answer(anyRequest, func(s int, _ http.Header, b any) (int, any) {
			if m, ok := b.(map[string]any); ok && s >= 400 {
				delete(m, "error_msg")
			}
			return s, b
		})},
		{errs, "invalid values answer APIG.2000", errorCode("APIG.2011", http.StatusBadRequest, "APIG.2000")},
		{errs, "missing members answer APIG.2011", errorCode("APIG.2001", http.StatusBadRequest, "APIG.2011")},

		// Validation: a gateway more lenient or stricter than the pages.
		{"validation", "long names are cut to 64 characters", repair(func(m map[string]any) {
			if strLen(m, "name") > 64 {
				m["name"] = string([]rune(m["name"].(string))[:64])
			}
		})},
		{"validation", "an unknown req_method becomes GET", repair(func(m map[string]any) {
			method, _ := m["req_method"].(string)
			switch strings.ToUpper(strings.TrimSpace(method)) {
			case "GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS", "ANY":
			default:
				m["req_method"] = "GET"
			}
		})},
		{"validation", "a missing name is made up", repair(func(m map[string]any) {
			if _, ok := m["name"]; !ok {
				m["name"] = "made_up_name"
			}
		})},
		{"validation", "a string type is read as a number", repair(func(m map[string]any) {
			if s, ok := m["type"].(string); ok {
				if n, err := strconv.Atoi(s); err == nil {
					m["type"] = n
				}
			}
		})},
		{"validation", "names at the maximum length are refused", answer(creates, func(s int, h http.Header, b any) (int, any) {
			if m, ok := b.(map[string]any); ok && s < 300 && strLen(m, "name") >= 64 {
				return http.StatusBadRequest, map[string]any{"error_code": "APIG.2011", "error_msg": "parameterName:name too long"}
			}
			return s, b
		})},
		{"validation", "remarks are cut to 10 characters", repair(func(m map[string]any) {
			if strLen(m, "remark") > 10 {
				m["remark"] = string([]rune(m["remark"].(string))[:10])
			}
		})},
		{"validation", "cors: true is refused", refuse("cors", func(m map[string]any) bool { return m["cors"] == true })},
		{"validation", "req_method PATCH is refused", refuse("req_method", func(m map[string]any) bool {
			return strings.EqualFold(fmt.Sprint(m["req_method"]), "PATCH")
		})},
		{"validation", "a backend's req_protocol HTTPS is refused", refuse("backend_api.req_protocol", func(m map[string]any) bool {
			return strings.EqualFold(fmt.Sprint(sub(m, "backend_api")["req_protocol"]), "HTTPS")
		})},
		{"validation", "a backend's enable_client_ssl true is refused", refuse("backend_api.enable_client_ssl", func(m map[string]any) bool {
			return sub(m, "backend_api")["enable_client_ssl"] == true
		})},
		{"validation", "an omitted match_mode is stored as SWA", repair(func(m map[string]any) {
			if _, ok := m["match_mode"]; !ok {
				m["match_mode"] = "SWA"
			}
		})},
		{"validation", "an omitted req_protocol is stored as HTTP", repair(func(m map[string]any) {
			if _, ok := m["req_protocol"]; !ok {
				m["req_protocol"] = "HTTP"
			}
		})},

		// State: what the service remembers.
		{"state", "modify resets register_time", member(is(http.MethodPut, romaItem), func(m map[string]any) { m["register_time"] = m["update_time"] })},
		{"state", "modify does not move update_time", member(is(http.MethodPut, apigItem), func(m map[string]any) { m["update_time"] = m["register_time"] })},
		{"state", "delete answers 204 but keeps the API", func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodDelete {
					w.Header().Set("X-Request-Id", "0123456789abcdef0123456789abcdef")
					w.WriteHeader(http.StatusNoContent)
					return
				}
				next.ServeHTTP(w, r)
			})
		}},
		{"state", "an unknown group answers 400", errorCode("APIG.3001", http.StatusBadRequest, "APIG.3001")},
		{"state", "an unknown authorizer is replaced by a known one", repair(func(m map[string]any) {
			if id, ok := m["authorizer_id"].(string); ok && id != knownAuth {
				m["authorizer_id"] = knownAuth
			}
		})},
		{"state", "an unknown group is replaced by a known one", repair(func(m map[string]any) {
			if m["group_id"] == "0000000000000000000000000000c0de" {
				m["group_id"] = knownGroup
			}
		})},
		{"state", "updates never move update_time, in answers and shows alike", member(func(r *http.Request) bool {
			return r.Method != http.MethodPost && (romaItem.MatchString(r.URL.Path) || romaV1.MatchString(r.URL.Path) || apigItem.MatchString(r.URL.Path))
		}, func(m map[string]any) { m["update_time"] = m["register_time"] })},
		{"state", "a modify leaves the old name taken", stale(nameKey, "APIG.3202")},
		{"state", "a modify leaves the old route taken", stale(routeKey, "APIG.3301")},
		{"state", "the same path with another match mode is refused", scoped(creates, pathKey, modeKey, "APIG.3301")},
		{"state", "the same path with another method is refused", scoped(creates, uriKey, methodKey, "APIG.3301")},
		// Each product's other-group flows alone must notice its own wider rule.
		{"state", "the same name in another group is refused (ROMA)", scoped(is(http.MethodPost, romaCreate), nameKey, groupKey, "APIG.3202")},
		{"state", "the same route in another group is refused (ROMA)", scoped(is(http.MethodPost, romaCreate), routeAnyGroup, groupKey, "APIG.3301")},
		{"state", "the same name in another group is refused (legacy gateway)", scoped(is(http.MethodPost, apigCreate), nameKey, groupKey, "APIG.3202")},
		{"state", "the same route in another group is refused (legacy gateway)", scoped(is(http.MethodPost, apigCreate), routeAnyGroup, groupKey, "APIG.3301")},

		// Authentication and isolation.
		{"auth", "a token's prefix is accepted", request(anyRequest, func(r *http.Request, b []byte) []byte {
			if t := r.Header.Get("X-Auth-Token"); t != "" && strings.HasPrefix(token, t) {
				r.Header.Set("X-Auth-Token", token)
			}
			return b
		})},
		{"auth", "any token that starts like a good one is accepted", request(anyRequest, func(r *http.Request, b []byte) []byte {
			if t := r.Header.Get("X-Auth-Token"); len(t) > 8 && t[:8] == token[:8] {
				r.Header.Set("X-Auth-Token", token)
			}
			return b
		})},
		{"auth", "another project's token opens this project", request(anyRequest, func(r *http.Request, b []byte) []byte {
			if r.Header.Get("X-Auth-Token") == otherToken {
				r.Header.Set("X-Auth-Token", token)
			}
			return b
		})},
		{"auth", "an expired X-Sdk-Date is accepted", resign(nil)},
		{"auth", "another project's X-Project-Id is accepted", resign(func(r *http.Request) { r.Header.Set("X-Project-Id", project) })},
		{"auth", "a wrong signature is accepted", request(anyRequest, func(r *http.Request, b []byte) []byte {
			if strings.HasPrefix(r.Header.Get("Authorization"), sign.Algorithm) {
				r.Header.Del("Authorization")
				r.Header.Set("X-Auth-Token", token)
			}
			return b
		})},
		{"auth", "a request without credentials is served", request(anyRequest, func(r *http.Request, b []byte) []byte {
			if r.Header.Get("X-Auth-Token") == "" && r.Header.Get("Authorization") == "" {
				r.Header.Set("X-Auth-Token", token)
			}
			return b
		})},

		// Transport: what every answer carries.
		{"transport", "answers lack X-Request-Id", func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				next.ServeHTTP(noRequestID{w}, r)
			})
		}},
		{"transport", "errors are application/problem+json", answer(anyRequest, func(s int, h http.Header, b any) (int, any) {
			if s >= 400 {
				h.Set("Content-Type", "application/problem+json")
			}
			return s, b
		})},
		{"transport", "v1 query without vpc_info", member(is(http.MethodGet, romaV1), func(m map[string]any) {
			for _, b := range append([]map[string]any{sub(m, "backend_api")}, policies(m)...) {
				delete(b, "vpc_info")
				delete(b, "vpcinfo")
			}
		})},
		{"transport", "malformed JSON answers 500", func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if creates(r) && !json.Valid(body) {
					w.Header().Set("Content-Type", "application/json")
					w.Header().Set("X-Request-Id", "0123456789abcdef0123456789abcdef")
					w.WriteHeader(http.StatusInternalServerError)
					w.Write([]byte(`{"error_code":"APIG.9999","error_msg":"System error"}`)) //nolint:errcheck
					return
				}
				r.Body = io.NopCloser(bytes.NewReader(body))
				next.ServeHTTP(w, r)
			})
		}},
	}
}

func policies(m map[string]any) []map[string]any {
	var out []map[string]any
	items(m, "policy_https", func(p map[string]any) { out = append(out, p) })
	return out
}

// noRequestID drops the X-Request-Id header of an answer.
type noRequestID struct{ http.ResponseWriter }

func (w noRequestID) WriteHeader(status int) {
	w.Header().Del("X-Request-Id")
	w.ResponseWriter.WriteHeader(status)
}

func (w noRequestID) Write(b []byte) (int, error) {
	w.Header().Del("X-Request-Id")
	return w.ResponseWriter.Write(b)
}
