package server

import (
	"context"
	"net/http"
	"time"

	"github.com/apiclab/apic/generated/apig"
	"github.com/apiclab/apic/generated/apig/apigserver"
	"github.com/apiclab/apic/generated/validation"
	"github.com/apiclab/apic/server/fixtures"
	"github.com/apiclab/apic/server/store"
)

// apigScope returns the caller's project and its legacy gateway's resources. The legacy
// paths carry no project: an API belongs to the caller's project.
func (s *Server) apigScope(ctx context.Context) (string, *fixtures.Catalog, error) {
	c, err := callerOf(ctx)
	if err != nil {
		return "", nil, err
	}
	p, ok := s.fx.Project(c.Project)
	if !ok {
		return "", nil, apiError(http.StatusForbidden, CodeForbidden, "The credentials have no permission on project %s", c.Project)
	}
	return c.Project, &p.APIG, nil
}

// CreateApi stores a new legacy APIG API. Enum values are accepted in any case and stored in
// their canonical spelling.
func (s *Server) CreateApi(ctx context.Context, req apigserver.CreateApiRequestObject) (apigserver.CreateApiResponseObject, error) {
	project, cat, err := s.apigScope(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	id := newID()
	a, data, err := s.apigDocument(cat, req.Body, "CreateApiRequest", "CreateApiResponse", &apig.CreateApiResponse{}, id, req.Body.GroupId, now, now)
	if err != nil {
		return nil, err
	}
	a.Project = project
	if err := s.store.Create(ctx, a); err != nil {
		return nil, storeError(err, id)
	}
	return rawJSON{http.StatusCreated, data}, nil
}

// UpdateApi replaces a legacy APIG API. It keeps the API's id, registration time and group
// (the page says the group cannot be modified) and moves its update time.
func (s *Server) UpdateApi(ctx context.Context, req apigserver.UpdateApiRequestObject) (apigserver.UpdateApiResponseObject, error) {
	project, cat, err := s.apigScope(ctx)
	if err != nil {
		return nil, err
	}
	unlock := s.updates.lock(req.Id)
	defer unlock()
	old, err := s.store.Get(ctx, store.APIG, project, "", req.Id)
	if err != nil {
		return nil, storeError(err, req.Id)
	}
	now := later(s.now(), old.Updated)
	a, data, err := s.apigDocument(cat, req.Body, "UpdateApiRequest", "UpdateApiResponse", &apig.UpdateApiResponse{}, old.ID, old.GroupID, old.Created, now)
	if err != nil {
		return nil, err
	}
	a.Project = project
	if err := s.store.Update(ctx, a); err != nil {
		return nil, storeError(err, req.Id)
	}
	return rawJSON{http.StatusOK, data}, nil
}

// apigDocument checks a legacy request's references and builds the stored API and its
// response document into out.
func (s *Server) apigDocument(cat *fixtures.Catalog, body any, reqSchema, respSchema string, out validation.Validator, id, groupID string, created, updated time.Time) (store.API, []byte, error) {
	group, ok := cat.Group(groupID)
	if !ok {
		return store.API{}, nil, apiError(http.StatusNotFound, CodeGroupMissing, "The API group %s does not exist", groupID)
	}
	req := nodeOf(body)
	if err := resources(cat, req, [2]string{"vpc_info", "vpc_id"}); err != nil {
		return store.API{}, nil, err
	}
	s.plans[reqSchema].apply(req.v)
	if err := carry(body, out); err != nil {
		return store.API{}, nil, err
	}
	doc := nodeOf(out)
	reqIDs := stampParams(doc)
	ts := timestamp(updated)
	doc.set("id", id)
	doc.set("group_id", group.ID)
	doc.set("group_name", group.Name)
	doc.set("status", 1)
	doc.set("arrange_necessary", 2)
	doc.set("register_time", timestamp(created))
	doc.set("update_time", ts)
	if !doc.has("version") {
		// As on ROMA: the documented answers carry V0.0.1 though no request sent a version
		// (ledger APIG-041).
		doc.set("version", defaultVersion)
	}
	for _, key := range []string{"backend_api", "func_info", "mock_info"} {
		stampBackend(doc.object(key), ts)
	}
	stampBackendParams(doc.objects("backend_params"), reqIDs)
	stampPolicies(doc, reqIDs)
	data, err := answer(respSchema, out)
	if err != nil {
		return store.API{}, nil, err
	}
	return store.API{
		Product: store.APIG, ID: id, GroupID: group.ID, Name: doc.str("name"),
		Method: doc.str("req_method"), URI: doc.str("req_uri"), MatchMode: doc.str("match_mode"),
		Doc: data, Created: created, Updated: updated,
	}, data, nil
}
