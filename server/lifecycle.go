package server

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apiclab/apic/generated/apig"
	"github.com/apiclab/apic/generated/apig/apigserver"
	"github.com/apiclab/apic/generated/romaapic"
	"github.com/apiclab/apic/generated/romaapic/romaapicserver"
	"github.com/apiclab/apic/generated/validation"
	"github.com/apiclab/apic/server/fixtures"
	"github.com/apiclab/apic/server/store"
)

// The paging rules of the list pages (ledger ROMA-057, APIG-039).
const (
	defaultPageSize = 20
	maxPageSize     = 500
	// maxListAll bounds the answer to a legacy list with page_size 0 ("all APIs"); total still
	// counts every match.
	maxListAll = 10000
)

// ShowDetailsOfApiV2 returns a stored ROMA API: the document that create or the last update
// answered with.
func (s *Server) ShowDetailsOfApiV2(ctx context.Context, req romaapicserver.ShowDetailsOfApiV2RequestObject) (romaapicserver.ShowDetailsOfApiV2ResponseObject, error) {
	if _, err := s.romaScope(ctx, req.ProjectId, req.InstanceId); err != nil {
		return nil, err
	}
	a, err := s.store.Get(ctx, store.ROMA, req.ProjectId, req.InstanceId, req.ApiId)
	if err != nil {
		return nil, storeError(err, req.ApiId)
	}
	return rawJSON{http.StatusOK, a.Doc}, nil
}

// UpdateApiV2 replaces a ROMA API with a create body, checked as create checks it. The API
// keeps its id and registration time; its update time moves forward.
func (s *Server) UpdateApiV2(ctx context.Context, req romaapicserver.UpdateApiV2RequestObject) (romaapicserver.UpdateApiV2ResponseObject, error) {
	cat, err := s.romaScope(ctx, req.ProjectId, req.InstanceId)
	if err != nil {
		return nil, err
	}
	unlock := s.updates.lock(req.ApiId)
	defer unlock()
	old, err := s.store.Get(ctx, store.ROMA, req.ProjectId, req.InstanceId, req.ApiId)
	if err != nil {
		return nil, storeError(err, req.ApiId)
	}
	a, data, err := s.romaDocument(cat, req.Body, old.ID, old.Created, later(s.now(), old.Updated))
	if err != nil {
		return nil, err
	}
	a.Project, a.Instance = req.ProjectId, req.InstanceId
	defer s.views.drop(viewKey(req.ProjectId, req.InstanceId, req.ApiId))
	if err := s.store.Update(ctx, a); err != nil {
		return nil, storeError(err, req.ApiId)
	}
	return rawJSON{http.StatusOK, data}, nil
}

// DeleteApiV2 removes a ROMA API; its name and route are free at once.
func (s *Server) DeleteApiV2(ctx context.Context, req romaapicserver.DeleteApiV2RequestObject) (romaapicserver.DeleteApiV2ResponseObject, error) {
	if _, err := s.romaScope(ctx, req.ProjectId, req.InstanceId); err != nil {
		return nil, err
	}
	defer s.views.drop(viewKey(req.ProjectId, req.InstanceId, req.ApiId))
	if err := s.store.Delete(ctx, store.ROMA, req.ProjectId, req.InstanceId, req.ApiId); err != nil {
		return nil, storeError(err, req.ApiId)
	}
	return romaapicserver.DeleteApiV2204Response{}, nil
}

// ListApisV2 answers a page of the instance's APIs (offset/limit paging).
func (s *Server) ListApisV2(ctx context.Context, req romaapicserver.ListApisV2RequestObject) (romaapicserver.ListApisV2ResponseObject, error) {
	cat, err := s.romaScope(ctx, req.ProjectId, req.InstanceId)
	if err != nil {
		return nil, err
	}
	p := req.Params
	q := store.Query{Product: store.ROMA, Project: req.ProjectId, Instance: req.InstanceId, Limit: defaultPageSize}
	if p.Offset != nil && *p.Offset > 0 {
		q.Offset = *p.Offset
	}
	if p.Limit != nil && *p.Limit > 0 {
		q.Limit = min(int(*p.Limit), maxPageSize)
	}
	f := newFilters(p.PreciseSearch)
	f.common(p.Id, p.Name, p.GroupId, p.ReqProtocol, p.ReqMethod, p.ReqUri, p.AuthType, p.EnvId, p.Type)
	f.exact(store.DocField("backend_api", "vpc_channel_info", "vpc_channel_id"), p.VpcChannelId)
	if p.VpcChannelName != nil && *p.VpcChannelName != "" {
		// The document holds the channel's id; the name is the catalog's.
		f.list = append(f.list, store.Filter{Field: store.DocField("backend_api", "vpc_channel_info", "vpc_channel_id"),
			Values: namedIDs(cat.VPCChannels, *p.VpcChannelName, f.precise["vpc_channel_name"])})
	}
	f.exact(store.DocField("roma_app_id"), p.RomaAppId)
	f.exact(store.DocField("roma_app_name"), p.RomaAppName)
	q.Filters = f.list
	return s.list(ctx, "ListApisV2Response", &romaapic.ListApisV2Response{}, q, func(item node) {
		// The page returns no backend information (ledger ROMA-054).
		item.clear("backend_api")
	})
}

// ShowDetailsOfApi returns a stored legacy APIG API in the details shape.
func (s *Server) ShowDetailsOfApi(ctx context.Context, req apigserver.ShowDetailsOfApiRequestObject) (apigserver.ShowDetailsOfApiResponseObject, error) {
	project, _, err := s.apigScope(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.store.Get(ctx, store.APIG, project, "", req.Id)
	if err != nil {
		return nil, storeError(err, req.Id)
	}
	var doc apig.UpdateApiResponse
	if err := json.Unmarshal(a.Doc, &doc); err != nil {
		return nil, err
	}
	data, err := answer("UpdateApiResponse", &doc)
	if err != nil {
		return nil, err
	}
	return rawJSON{http.StatusOK, data}, nil
}

// DeleteApi removes a legacy APIG API; its name and route are free at once.
func (s *Server) DeleteApi(ctx context.Context, req apigserver.DeleteApiRequestObject) (apigserver.DeleteApiResponseObject, error) {
	project, _, err := s.apigScope(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.store.Delete(ctx, store.APIG, project, "", req.Id); err != nil {
		return nil, storeError(err, req.Id)
	}
	return apigserver.DeleteApi204Response{}, nil
}

// ListApis answers a page of the caller's legacy APIs (page_no/page_size paging; page_size 0
// is every API).
func (s *Server) ListApis(ctx context.Context, req apigserver.ListApisRequestObject) (apigserver.ListApisResponseObject, error) {
	project, _, err := s.apigScope(ctx)
	if err != nil {
		return nil, err
	}
	p := req.Params
	q := store.Query{Product: store.APIG, Project: project, Limit: defaultPageSize}
	switch {
	case p.PageSize == nil || *p.PageSize < 0:
	case *p.PageSize == 0:
		q.Limit = maxListAll
	default:
		q.Limit = min(int(*p.PageSize), maxPageSize)
	}
	if p.PageNo != nil && *p.PageNo > 1 && (p.PageSize == nil || *p.PageSize != 0) {
		q.Offset = int64(*p.PageNo-1) * int64(q.Limit)
	}
	f := newFilters(p.PreciseSearch)
	f.common(p.Id, p.Name, p.GroupId, p.ReqProtocol, p.ReqMethod, p.ReqUri, p.AuthType, p.EnvId, p.Type)
	if p.Status != nil {
		f.exact(store.DocField("status"), ptr(strconv.Itoa(int(*p.Status))))
	}
	if p.Tags != nil && *p.Tags != "" {
		f.list = append(f.list, store.Filter{Tag: true, Values: []string{*p.Tags}})
	}
	q.Filters = f.list
	return s.list(ctx, "ListApisResponse", &apig.ListApisResponse{}, q, nil)
}

// list runs q and answers {total, size, apis} in out, each item cut down to the list item
// type and then passed to trim.
func (s *Server) list(ctx context.Context, schema string, out validation.Validator, q store.Query, trim func(node)) (rawJSON, error) {
	apis, total, err := s.store.List(ctx, q)
	if err != nil {
		return rawJSON{}, err
	}
	// The stored documents are decoded once, as the page's items: the members the item type
	// does not describe are left out by the decoder.
	page := make([]byte, 0, 64+len(apis)*1024)
	page = append(page, `{"total":`...)
	page = strconv.AppendInt(page, total, 10)
	page = append(page, `,"size":`...)
	page = strconv.AppendInt(page, int64(len(apis)), 10)
	page = append(page, `,"apis":[`...)
	for i, a := range apis {
		if i > 0 {
			page = append(page, ',')
		}
		page = append(page, a.Doc...)
	}
	page = append(page, "]}"...)
	if err := json.Unmarshal(page, out); err != nil {
		return rawJSON{}, err
	}
	if trim != nil {
		for _, item := range nodeOf(out).objects("apis") {
			trim(item)
		}
	}
	data, err := answer(schema, out)
	if err != nil {
		return rawJSON{}, err
	}
	return rawJSON{http.StatusOK, data}, nil
}

// filters collects the list filters of a query. precise holds the parameters precise_search
// names: those match the whole value, the others with fuzzy matching match a part of it.
type filters struct {
	precise map[string]bool
	list    []store.Filter
}

func newFilters(preciseSearch *string) *filters {
	f := &filters{precise: map[string]bool{}}
	if preciseSearch != nil {
		for _, name := range strings.Split(*preciseSearch, ",") {
			f.precise[strings.TrimSpace(name)] = true
		}
	}
	return f
}

// exact keeps the APIs whose field is v; an absent or empty v filters nothing.
func (f *filters) exact(field store.Field, v *string) {
	if v != nil && *v != "" {
		f.list = append(f.list, store.Filter{Field: field, Values: []string{*v}})
	}
}

// fuzzy keeps the APIs whose field contains v, or is v when precise_search names param.
func (f *filters) fuzzy(param string, field store.Field, v *string) {
	if v != nil && *v != "" {
		f.list = append(f.list, store.Filter{Field: field, Values: []string{*v}, Contains: !f.precise[param]})
	}
}

// common adds the filters both products' lists have. Enumerated values are stored in their
// canonical upper-case spelling and compared so. The emulator publishes no API, so env_id
// (the environment an API is published in) matches none.
func (f *filters) common(id, name, groupID, protocol, method, uri, authType, envID *string, typ *int32) {
	f.exact(store.FieldID, id)
	f.fuzzy("name", store.FieldName, name)
	f.exact(store.FieldGroupID, groupID)
	f.exact(store.DocField("req_protocol"), upper(protocol))
	f.exact(store.FieldMethod, upper(method))
	f.fuzzy("req_uri", store.FieldURI, uri)
	f.exact(store.DocField("auth_type"), upper(authType))
	f.exact(store.DocField("run_env_id"), envID)
	if typ != nil {
		f.exact(store.DocField("type"), ptr(strconv.Itoa(int(*typ))))
	}
}

// namedIDs returns the ids of the catalog entries whose name is name (exact) or contains it.
func namedIDs(list []fixtures.Named, name string, exact bool) []string {
	ids := []string{}
	for _, n := range list {
		if n.Name == name || (!exact && strings.Contains(n.Name, name)) {
			ids = append(ids, n.ID)
		}
	}
	return ids
}

// later is now, or a microsecond after prev when the clock has not passed it: an update time
// always moves forward.
func later(now, prev time.Time) time.Time {
	if now.After(prev) {
		return now
	}
	return prev.Add(time.Microsecond)
}

func upper(v *string) *string {
	if v == nil {
		return nil
	}
	return ptr(strings.ToUpper(*v))
}

func ptr[T any](v T) *T { return &v }

// stripes are mutexes picked by the hash of a key: bounded memory, and two keys rarely share
// one.
type stripes [64]sync.Mutex

func (s *stripes) lock(key string) (unlock func()) {
	h := fnv.New32a()
	h.Write([]byte(key)) //nolint:errcheck // hash writes never fail
	m := &s[h.Sum32()%uint32(len(s))]
	m.Lock()
	return m.Unlock
}
