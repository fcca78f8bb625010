package lint

import "github.com/apiclab/apic/spec/xrules"

// checkXExtension reports every problem the x- rule model finds in a schema's extensions, at
// the extension's own key.
func checkXExtension(s *Spec, r *Reporter) {
	schemas(s.Doc, func(site schemaSite) {
		if site.Schema.Ref != "" || site.Schema.Value == nil {
			return
		}
		for _, p := range xrules.Check(site.Schema.Value) {
			r.At(Ptr(site.Ptr, p.Extension), "%s", p.Error())
		}
	})
}
