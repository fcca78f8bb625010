package server

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"gopkg.in/yaml.v3"

	"github.com/apiclab/apic/internal/cmdline"
	"github.com/apiclab/apic/server/store"
)

// StatePrefix is the emulator's own path prefix: its health, state, faults and spec pages.
// No path of either product starts with it.
const StatePrefix = "/_emulator/"

// MaxSnapshotBytes bounds an imported snapshot (the other bodies are bounded by MaxBodyBytes).
const MaxSnapshotBytes = 64 << 20

// snapshotFormat names the export file's shape; an import checks it.
const snapshotFormat = "apicemu-snapshot/1"

// Snapshot is the whole state as GET /_emulator/state exports it and PUT imports it.
type Snapshot struct {
	Format   string        `json:"format"`
	Exported time.Time     `json:"exported"`
	APIs     []SnapshotAPI `json:"apis"`
}

// SnapshotAPI is one stored API: its keys, the fields the uniqueness rules look at, and its
// document as the service answers it.
type SnapshotAPI struct {
	Product   store.Product   `json:"product"`
	Project   string          `json:"project"`
	Instance  string          `json:"instance"`
	ID        string          `json:"id"`
	GroupID   string          `json:"group_id"`
	Name      string          `json:"name"`
	Method    string          `json:"method"`
	URI       string          `json:"uri"`
	MatchMode string          `json:"match_mode"`
	Doc       json.RawMessage `json:"doc"`
	Created   time.Time       `json:"created"`
	Updated   time.Time       `json:"updated"`
}

// bodyLimit is the largest body the emulator reads for r: a snapshot import may be larger
// than any documented request.
func bodyLimit(r *http.Request) int {
	if r.Method == http.MethodPut && r.URL.Path == StatePrefix+"state" {
		return MaxSnapshotBytes
	}
	return MaxBodyBytes
}

// registerState adds the state API below StatePrefix. Health is open to all; everything
// else needs the admin token.
func (s *Server) registerState(e *echo.Echo) {
	e.GET(StatePrefix+"health", s.emulatorHealth)
	if err := s.registerSpecs(e); err != nil {
		panic(err) // the embedded specs always encode: GetSwagger decoded them
	}
	admin := e.Group(strings.TrimSuffix(StatePrefix, "/"), s.requireAdmin)
	admin.POST("/reset", s.reset)
	admin.GET("/state", s.exportState)
	admin.PUT("/state", s.importState)
	admin.GET("/fixtures", s.fixtureFile)
	admin.GET("/faults", s.getFaults)
	admin.PUT("/faults", s.putFaults)
	admin.DELETE("/faults", s.deleteFaults)
}

// requireAdmin lets a request through when it carries the admin token as a bearer token.
// Without a configured token the state API is off: it can wipe or overwrite every tenant's
// APIs and shows the fixtures' credentials, and the emulator may be shared by a team.
func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.adminToken == "" {
			return apiError(http.StatusForbidden, CodeForbidden,
				"The state API is off: start apicemu with --admin-token (or APICEMU_ADMIN_TOKEN) to use it")
		}
		got, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(s.adminToken)) != 1 {
			return apiError(http.StatusUnauthorized, CodeBadToken, "The state API needs the header Authorization: Bearer followed by the admin token")
		}
		return next(c)
	}
}

func (s *Server) emulatorHealth(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	out := map[string]any{"status": "ok", "version": cmdline.Version("apicemu"),
		"state_api": s.adminToken != "", "faults": len(s.faults.list())}
	status := http.StatusOK
	if err := s.store.Ping(ctx); err != nil {
		s.log.Error("health: the store does not answer", "error", err)
		out["status"], status = "unavailable", http.StatusServiceUnavailable
	}
	return c.JSON(status, out)
}

func (s *Server) admin() (store.Admin, error) {
	a, ok := s.store.(store.Admin)
	if !ok {
		return nil, apiError(http.StatusNotImplemented, CodeSystem, "This store has no state operations")
	}
	return a, nil
}

// reset deletes every API, or one project's (?project=ID).
func (s *Server) reset(c echo.Context) error {
	a, err := s.admin()
	if err != nil {
		return err
	}
	project := c.QueryParam("project")
	if project != "" {
		if _, ok := s.fx.Project(project); !ok {
			return apiError(http.StatusNotFound, CodeParameter, "The fixtures have no project %s", project)
		}
	}
	n, err := a.Reset(c.Request().Context(), project)
	// Even after a failure part of what is cached may be gone from the store.
	s.views.clear()
	if err != nil {
		return err
	}
	s.log.Info("state reset", "project", project, "deleted", n)
	return c.JSON(http.StatusOK, map[string]any{"deleted": n, "project": project})
}

// exportState streams every API as a Snapshot, one API at a time.
func (s *Server) exportState(c echo.Context) error {
	a, err := s.admin()
	if err != nil {
		return err
	}
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	w.Header().Set(echo.HeaderContentDisposition, `attachment; filename="apicemu-state.json"`)
	head, _ := json.Marshal(s.now().UTC())
	fmt.Fprintf(w, "{\"format\":%q,\"exported\":%s,\"apis\":[", snapshotFormat, head)
	n := 0
	err = a.Each(c.Request().Context(), func(api store.API) error {
		item, err := json.Marshal(SnapshotAPI{Product: api.Product, Project: api.Project, Instance: api.Instance,
			ID: api.ID, GroupID: api.GroupID, Name: api.Name, Method: api.Method, URI: api.URI,
			MatchMode: api.MatchMode, Doc: api.Doc, Created: api.Created, Updated: api.Updated})
		if err != nil {
			return err
		}
		if n > 0 {
			w.Write([]byte{','}) //nolint:errcheck // a broken connection fails the next write too
		}
		n++
		_, err = w.Write(append([]byte{'\n'}, item...))
		return err
	})
	if err != nil {
		// The status is sent: cut the document short so that it cannot be imported.
		s.log.Error("export failed", "error", err)
		return nil
	}
	_, err = w.Write([]byte("\n]}\n"))
	return err
}

// importState replaces every API with those of a Snapshot, in one transaction.
func (s *Server) importState(c echo.Context) error {
	a, err := s.admin()
	if err != nil {
		return err
	}
	var snap Snapshot
	if err := decodeStrict(bodyOf(c), &snap); err != nil {
		return apiError(http.StatusBadRequest, CodeParameter, "The snapshot is not valid: %v", err)
	}
	if snap.Format != snapshotFormat {
		return apiError(http.StatusBadRequest, CodeParameter, "The snapshot format is %q; this emulator reads %q", snap.Format, snapshotFormat)
	}
	apis := make([]store.API, 0, len(snap.APIs))
	for i, x := range snap.APIs {
		if err := s.checkSnapshotAPI(x); err != nil {
			return apiError(http.StatusBadRequest, CodeParameter, "The snapshot is not valid: apis[%d]: %v", i, err)
		}
		apis = append(apis, store.API{Product: x.Product, Project: x.Project, Instance: x.Instance, ID: x.ID,
			GroupID: x.GroupID, Name: x.Name, Method: x.Method, URI: x.URI, MatchMode: x.MatchMode,
			Doc: x.Doc, Created: x.Created, Updated: x.Updated})
	}
	err = a.Replace(c.Request().Context(), apis)
	s.views.clear()
	if errors.Is(err, store.ErrNameExists) || errors.Is(err, store.ErrRouteExists) {
		return apiError(http.StatusBadRequest, CodeParameter, "The snapshot is not valid: %v", err)
	}
	if err != nil {
		return err
	}
	s.log.Info("state imported", "apis", len(apis))
	return c.JSON(http.StatusOK, map[string]any{"imported": len(apis)})
}

// checkSnapshotAPI checks what the emulator relies on: known product, project and instance
// (an API elsewhere could never be reached), keys present, a document that is a JSON object
// with the API's id and name.
func (s *Server) checkSnapshotAPI(x SnapshotAPI) error {
	p, ok := s.fx.Project(x.Project)
	if !ok {
		return fmt.Errorf("the fixtures have no project %q", x.Project)
	}
	switch x.Product {
	case store.ROMA:
		if _, ok := p.Instance(x.Instance); !ok {
			return fmt.Errorf("project %s has no instance %q", x.Project, x.Instance)
		}
	case store.APIG:
		if x.Instance != "" {
			return fmt.Errorf("a legacy APIG API has no instance")
		}
	default:
		return fmt.Errorf("product %q is neither roma nor apig", x.Product)
	}
	for name, v := range map[string]string{"id": x.ID, "group_id": x.GroupID, "name": x.Name, "method": x.Method, "uri": x.URI, "match_mode": x.MatchMode} {
		if v == "" {
			return fmt.Errorf("%s is empty", name)
		}
	}
	var doc map[string]any
	if err := json.Unmarshal(x.Doc, &doc); err != nil {
		return fmt.Errorf("doc is not a JSON object: %v", err)
	}
	if doc["id"] != x.ID || doc["name"] != x.Name {
		return fmt.Errorf("doc has id %v and name %v, not %s and %s", doc["id"], doc["name"], x.ID, x.Name)
	}
	if x.Created.IsZero() || x.Updated.IsZero() {
		return fmt.Errorf("created and updated are required")
	}
	return nil
}

// fixtureFile answers the loaded fixtures in the fixtures file's own YAML shape, so that the
// answer can be edited and given back with --fixtures.
func (s *Server) fixtureFile(c echo.Context) error {
	data, err := yaml.Marshal(s.fx)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "application/yaml", data)
}

// decodeStrict decodes one JSON document into v: unknown members and anything after the
// document are errors.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON document")
	}
	return nil
}
