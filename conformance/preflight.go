package conformance

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// unknownID is an API id no target has: the credential check asks for it.
const unknownID = "00000000000000000000000000000000"

// CheckCredentials makes one harmless call to t before a run: a query of an API id that does
// not exist (ROMA, when t has a project and an instance), or else a modify of one (legacy
// APIG; nothing exists to change). Any answer but 401 or 403 shows that the target took the
// credentials (a 5xx says nothing about them: the run goes on and reports it). It returns
// what the target answered, or an error that says what to fix.
func CheckCredentials(ctx context.Context, t Target) (string, error) {
	hc := t.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	r := &runner{t: t}
	c, err := newClients(t.BaseURL, hc, false, r.authEditor(t.Token))
	if err != nil {
		return "", err
	}
	op, where := "ShowDetailsOfApiV1", at{project: t.ProjectID, instance: t.InstanceID, id: unknownID}
	if t.ProjectID == "" || t.InstanceID == "" {
		op, where = "ShowDetailsOfApi", at{id: unknownID}
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	p, err := send(ctx, c, op, where, nil)
	if err != nil {
		return "", fmt.Errorf("cannot reach %s: %v", t.BaseURL, err)
	}
	how := "token"
	if t.Token == "" {
		how = "AK/SK pair"
	}
	answer := fmt.Sprintf("%s of an unknown id answered %s", op, p)
	switch p.status {
	case http.StatusUnauthorized:
		return answer, fmt.Errorf("the target refused the %s (%s): check --token, or --ak and --sk", how, answer)
	case http.StatusForbidden:
		return answer, fmt.Errorf("the %s has no permission on project %q (%s): check --project", how, t.ProjectID, answer)
	}
	return answer, nil
}
