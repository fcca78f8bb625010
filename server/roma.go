package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/apiclab/apic/generated/romaapic"
	"github.com/apiclab/apic/generated/romaapic/romaapicserver"
	"github.com/apiclab/apic/server/fixtures"
	"github.com/apiclab/apic/server/store"
)

// romaScope checks that the caller may use the project and that the instance exists.
func (s *Server) romaScope(ctx context.Context, project, instance string) (*fixtures.Catalog, error) {
	c, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	if c.Project != project {
		return nil, apiError(http.StatusForbidden, CodeForbidden, "The credentials have no permission on project %s", project)
	}
	p, ok := s.fx.Project(project)
	if !ok {
		return nil, apiError(http.StatusForbidden, CodeForbidden, "The credentials have no permission on project %s", project)
	}
	cat, ok := p.Instance(instance)
	if !ok {
		return nil, apiError(http.StatusNotFound, CodeInstanceMissing, "The instance %s does not exist", instance)
	}
	return cat, nil
}

// CreateApiV2 stores a new ROMA API and answers 201 with the documented response.
func (s *Server) CreateApiV2(ctx context.Context, req romaapicserver.CreateApiV2RequestObject) (romaapicserver.CreateApiV2ResponseObject, error) {
	cat, err := s.romaScope(ctx, req.ProjectId, req.InstanceId)
	if err != nil {
		return nil, err
	}
	now := s.now()
	id := newID()
	a, data, err := s.romaDocument(cat, req.Body, id, now, now)
	if err != nil {
		return nil, err
	}
	a.Project, a.Instance = req.ProjectId, req.InstanceId
	if err := s.store.Create(ctx, a); err != nil {
		return nil, storeError(err, id)
	}
	return rawJSON{http.StatusCreated, data}, nil
}

// romaDocument checks the references of a create (or update) body and builds the stored API
// and its response document (CreateApiV2Response, which show and update answer with too).
func (s *Server) romaDocument(cat *fixtures.Catalog, body *romaapic.CreateApiV2Request, id string, created, updated time.Time) (store.API, []byte, error) {
	group, ok := cat.Group(body.GroupId)
	if !ok {
		return store.API{}, nil, apiError(http.StatusNotFound, CodeGroupMissing, "The API group %s does not exist", body.GroupId)
	}
	req := nodeOf(body)
	if err := resources(cat, req, [2]string{"vpc_channel_info", "vpc_channel_id"}); err != nil {
		return store.API{}, nil, err
	}
	var app *fixtures.Named
	if id := req.str("roma_app_id"); id != "" {
		a, ok := cat.App(id)
		if !ok {
			return store.API{}, nil, apiError(http.StatusNotFound, CodeAppMissing, "The integration application %s does not exist", id)
		}
		app = &a
	} else if group.Global {
		return store.API{}, nil, missing("roma_app_id")
	}
	s.plans["CreateApiV2Request"].apply(req.v)
	var resp romaapic.CreateApiV2Response
	if err := carry(body, &resp); err != nil {
		return store.API{}, nil, err
	}
	doc := nodeOf(&resp)
	reqIDs := stampParams(doc)
	ts := timestamp(updated)
	doc.set("id", id)
	doc.set("status", 1)
	doc.set("arrange_necessary", 2)
	doc.set("register_time", timestamp(created))
	doc.set("update_time", ts)
	doc.set("group_name", group.Name)
	doc.set("group_version", group.Version)
	if resp.Version == nil {
		// The service assigns a version when none is sent; V0.0.1 is what four of the five
		// documented answers show (ledger ROMA-048).
		doc.set("version", defaultVersion)
	}
	resp.ApiGroupInfo = groupInfo(group, ts)
	if app != nil {
		doc.set("roma_app_name", app.Name)
	}
	for _, key := range []string{"backend_api", "func_info", "mock_info"} {
		stampBackend(doc.object(key), ts)
	}
	stampBackendParams(doc.objects("backend_params"), reqIDs)
	stampPolicies(doc, reqIDs)

	data, err := answer("CreateApiV2Response", &resp)
	if err != nil {
		return store.API{}, nil, err
	}
	return store.API{
		Product: store.ROMA, ID: id, GroupID: body.GroupId, Name: body.Name, Method: strings.ToUpper(body.ReqMethod),
		URI: body.ReqUri, MatchMode: doc.str("match_mode"), Doc: data, Created: created, Updated: updated,
	}, data, nil
}

// groupInfo is the api_group_info of a response.
func groupInfo(g *fixtures.Group, ts string) *romaapic.ApiGroupCommonInfo {
	domains := make([]romaapic.UrlDomain, 0, len(g.URLDomains))
	for _, d := range g.URLDomains {
		domains = append(domains, romaapic.UrlDomain{
			Id: ptr(d.ID), Domain: ptr(d.Domain), CnameStatus: ptr(romaapic.UrlDomainCnameStatus(d.CnameStatus)),
			SslId: ptr(d.SSLID), SslName: ptr(d.SSLName), MinSslVersion: ptr(romaapic.UrlDomainMinSslVersion(d.MinSSLVersion)),
		})
	}
	return &romaapic.ApiGroupCommonInfo{
		Id: ptr(g.ID), Name: ptr(g.Name), Status: ptr(romaapic.ApiGroupCommonInfoStatus(1)), SlDomain: ptr(g.SLDomain),
		RegisterTime: ptr(ts), UpdateTime: ptr(ts), OnSellStatus: ptr(romaapic.ApiGroupCommonInfoOnSellStatus(2)),
		UrlDomains: &domains,
	}
}

// ShowDetailsOfApiV1 returns a stored ROMA API in the v1 shape.
func (s *Server) ShowDetailsOfApiV1(ctx context.Context, req romaapicserver.ShowDetailsOfApiV1RequestObject) (romaapicserver.ShowDetailsOfApiV1ResponseObject, error) {
	if _, err := s.romaScope(ctx, req.ProjectId, req.InstanceId); err != nil {
		return nil, err
	}
	key := viewKey(req.ProjectId, req.InstanceId, req.ApiId)
	if s.exclusive {
		if b, ok := s.views.trusted(key); ok {
			return rawJSON{http.StatusOK, b}, nil
		}
	}
	epoch := s.views.now()
	a, err := s.store.Get(ctx, store.ROMA, req.ProjectId, req.InstanceId, req.ApiId)
	if err != nil {
		return nil, storeError(err, req.ApiId)
	}
	if b, ok := s.views.get(key, a.Doc); ok {
		return rawJSON{http.StatusOK, b}, nil
	}
	b, err := s.v1View(a.Doc)
	if err != nil {
		return nil, err
	}
	s.views.put(key, a.Doc, b, epoch)
	return rawJSON{http.StatusOK, b}, nil
}

// v1View turns a stored v2 document into the v1 query answer.
func (s *Server) v1View(stored []byte) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(stored, &doc); err != nil {
		return nil, err
	}
	// v1 names the VPC members of a web backend differently (BackendApiV1).
	toV1 := func(o map[string]any) {
		if o == nil {
			return
		}
		if v, ok := o["vpc_channel_status"]; ok {
			o["vpc_status"] = v
		}
		if info := object(o, "vpc_channel_info"); info != nil {
			v1 := map[string]any{"vpc_id": info["vpc_channel_id"]}
			if h, ok := info["vpc_channel_proxy_host"]; ok {
				v1["vpc_proxy_host"] = h
			}
			o["vpc_info"] = v1
		}
	}
	toV1(object(doc, "backend_api"))
	for _, p := range objects(doc, "policy_https") {
		toV1(p)
	}
	var resp romaapic.ShowDetailsOfApiV1Response
	return finish(s.roma, "ShowDetailsOfApiV1Response", doc, &resp)
}

// defaultVersion is the API version the emulator assigns when a create sends none.
const defaultVersion = "V0.0.1"
