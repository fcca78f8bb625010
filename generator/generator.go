// Package generator turns the specs in spec/ into the Go packages in generated/.
//
// Generate returns every file it would write, keyed by slash path relative to the repository
// root; it writes nothing. The apicgen command's `generate` verb writes that map and its
// `check` verb compares it with the tree, so both and the tests share one code path.
package generator

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
	"gopkg.in/yaml.v3"

	"github.com/apiclab/apic/generator/runtime/apiclient"
	"github.com/apiclab/apic/generator/runtime/sign"
	"github.com/apiclab/apic/generator/runtime/validation"
)

// ConfigDir holds one configuration file per spec, relative to the repository root.
const ConfigDir = "generator/config"

// RuntimePackage is where the validation runtime is written, relative to the repository root.
const RuntimePackage = "generated/validation"

// ClientRuntimePackage is where the client options runtime (apiclient) is written.
const ClientRuntimePackage = "generated/apiclient"

// runtimes are the hand-written packages below generator/runtime that the generated code
// uses, each written into generated/ so that generated packages depend on no hand-written
// package of this repository.
var runtimes = []struct {
	dir, file string
	source    []byte
}{
	{RuntimePackage, "validation.gen.go", validation.Source},
	{RuntimePackage, "keywords.gen.go", validation.KeywordsSource},
	{RuntimePackage, "schema.gen.go", validation.SchemaSource},
	{"generated/sign", "sign.gen.go", sign.Source},
	{ClientRuntimePackage, "apiclient.gen.go", apiclient.Source},
}

// Config says which spec to read, where to write its package, and how to drive oapi-codegen.
type Config struct {
	// Spec is the spec file, relative to the repository root.
	Spec string `yaml:"spec"`
	// Output is the package directory, relative to the repository root.
	Output string `yaml:"output"`
	// Summary is one sentence for the package documentation.
	Summary string `yaml:"summary"`
	// Ledger is the spec's ledger of doc discrepancies, embedded in the package so that tools
	// that run without the repository (the conformance CLI) know the expected rejections.
	Ledger string `yaml:"ledger"`
	// EnumNames names enum values after their documented meanings (see EnumNames).
	EnumNames EnumNames `yaml:"enum-names"`
	// Codegen is handed to oapi-codegen; `generate` is set per output file.
	Codegen codegen.Configuration `yaml:"oapi-codegen"`

	module string // the module path of the repository, from go.mod
}

// LoadConfigs reads every *.yaml in ConfigDir below root, in file name order.
func LoadConfigs(root string) ([]Config, error) {
	files, err := filepath.Glob(filepath.Join(root, ConfigDir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	module, err := modulePath(root)
	if err != nil {
		return nil, err
	}
	var cfgs []Config
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var c Config
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&c); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if c.Spec == "" || c.Output == "" || c.Codegen.PackageName == "" {
			return nil, fmt.Errorf("%s: spec, output and oapi-codegen.package are required", f)
		}
		c.module = module
		cfgs = append(cfgs, c)
	}
	if len(cfgs) == 0 {
		return nil, fmt.Errorf("no configuration in %s", filepath.Join(root, ConfigDir))
	}
	return cfgs, nil
}

// LoadSpec loads and validates one spec. The error names the file and says what is wrong.
func LoadSpec(file string) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromFile(file)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot load: %w", file, err)
	}
	// Examples are checked by the conformance tests against the ledger: some documented request
	// examples break a rule the spec keeps on purpose, and must be rejected, not refused here.
	if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("%s: not a valid OpenAPI 3.0 document: %w", file, err)
	}
	return doc, nil
}

// Generate produces the files of every configured package, and the shared validation runtime.
// It must not run concurrently with itself: oapi-codegen keeps package-level state.
func Generate(root string, cfgs []Config) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, r := range runtimes {
		out[path.Join(r.dir, r.file)] = runtimeSource(r.source)
	}
	for _, c := range cfgs {
		files, err := generateOne(root, c)
		if err != nil {
			return nil, err
		}
		for name, content := range files {
			out[path.Join(c.Output, name)] = content
		}
	}
	return out, nil
}

// Header is the first line of every generated Go file (see `go help generate`).
const Header = "// Code generated by apicgen from the specs in spec/. DO NOT EDIT.\n\n"

// runtimeSource is a runtime package's source as written into generated/: its imports of the
// other runtime packages name their generated copies.
func runtimeSource(src []byte) []byte {
	return append([]byte(Header), bytes.ReplaceAll(src, []byte(`"github.com/apiclab/apic/generator/runtime/`), []byte(`"github.com/apiclab/apic/generated/`))...)
}

// oapiParts are the files oapi-codegen writes, each with its own `generate` options so that
// the package reads as models, client, server and embedded spec. The server (echo) and the
// embedded spec (kin-openapi) go to sub-packages, so that a program that only calls the API
// does not link either; sub is the sub-package's name suffix ("" for the client package).
var oapiParts = []struct {
	file, sub string
	gen       codegen.GenerateOptions
}{
	{"types.gen.go", "", codegen.GenerateOptions{Models: true}},
	{"client.gen.go", "", codegen.GenerateOptions{Client: true}},
	{"server.gen.go", ServerSuffix, codegen.GenerateOptions{EchoServer: true, Strict: true}},
	{"spec.gen.go", SpecSuffix, codegen.GenerateOptions{EmbeddedSpec: true}},
}

// The sub-packages of each generated package: <package>server holds the echo strict-server
// interface and handlers, <package>spec the embedded spec and ledger.
const (
	ServerSuffix = "server"
	SpecSuffix   = "spec"
)

// SubPackage is the directory, relative to the repository root, and the name of the
// sub-package of c with the given suffix.
func (c Config) SubPackage(suffix string) (dir, name string) {
	name = c.Codegen.PackageName + suffix
	return path.Join(c.Output, name), name
}

func generateOne(root string, c Config) (map[string][]byte, error) {
	specFile := filepath.Join(root, c.Spec)
	files := map[string][]byte{}
	var types []byte
	for _, part := range oapiParts {
		// oapi-codegen prunes and rewrites the document it is given: each part gets a fresh copy.
		doc, err := LoadSpec(specFile)
		if err != nil {
			return nil, err
		}
		undo, done := func() {}, func() {}
		if part.gen.Models {
			// Only the models need the names; the embedded spec stays the spec as written.
			if undo, done, err = nameEnums(doc, c.EnumNames); err != nil {
				return nil, fmt.Errorf("%s: %w", c.Spec, err)
			}
		}
		cfg := c.Codegen
		cfg.Generate = part.gen
		cfg.OutputOptions.TypeMapping = stringFormatsAreText(numbersAreDoubles(cfg.OutputOptions.TypeMapping))
		// Inline objects become named types (Thing_Inner), which the validators give methods.
		cfg.OutputOptions.GenerateTypesForAnonymousSchemas = true
		// A constant always carries its type's name: no bare ECC or Global at package level.
		cfg.Compatibility.AlwaysPrefixEnumValues = true
		cfg = cfg.UpdateDefaults()
		if err := cfg.Validate(); err != nil {
			return nil, fmt.Errorf("%s: oapi-codegen configuration: %w", c.Spec, err)
		}
		code, err := codegen.Generate(doc, cfg)
		if err != nil {
			return nil, fmt.Errorf("%s: oapi-codegen (%s): %w", c.Spec, part.file, err)
		}
		name := part.file
		if part.sub != "" {
			dir, pkg := c.SubPackage(part.sub)
			name = path.Join(path.Base(dir), part.file)
			moved, err := moveToSubPackage(code, pkg, c.module+"/"+c.Output, c.Codegen.PackageName, types, subPackageDocs[part.sub])
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", c.Spec, name, err)
			}
			files[name] = moved
			continue
		}
		files[name] = []byte(normalizeHeader(code))
		if part.gen.Models {
			types = files[name]
			undo()
			// The validators are built from oapi-codegen's own view of the types, which is
			// valid only while its package state still describes this document.
			v, err := generateValidators(doc, c)
			if err != nil {
				return nil, fmt.Errorf("%s: validators: %w", c.Spec, err)
			}
			files["validate.gen.go"] = v
			pf, err := generatePreflight(doc, c)
			if err != nil {
				return nil, fmt.Errorf("%s: client validation: %w", c.Spec, err)
			}
			files["preflight.gen.go"] = pf
			done()
			nc, err := generateNew(c)
			if err != nil {
				return nil, err
			}
			files["new.gen.go"] = nc
		}
	}
	doc, err := LoadSpec(specFile)
	if err != nil {
		return nil, err
	}
	if client := files["client.gen.go"]; client != nil {
		pages, err := generatePages(doc, c, client)
		if err != nil {
			return nil, fmt.Errorf("%s: iterators: %w", c.Spec, err)
		}
		if pages != nil {
			files["pages.gen.go"] = pages
		}
	}
	docs, err := generateDocs(doc, c)
	if err != nil {
		return nil, err
	}
	for name, content := range docs {
		files[name] = content
	}
	if c.Ledger != "" {
		data, err := os.ReadFile(filepath.Join(root, c.Ledger))
		if err != nil {
			return nil, err
		}
		var entries []any
		if err := yaml.Unmarshal(data, &entries); err != nil {
			return nil, fmt.Errorf("%s: %w", c.Ledger, err)
		}
		dir, pkg := c.SubPackage(SpecSuffix)
		sub := path.Base(dir)
		files[path.Join(sub, "ledger.yaml")] = append([]byte("# Code generated by apicgen from "+c.Ledger+". DO NOT EDIT.\n"), data...)
		files[path.Join(sub, "ledger.gen.go")] = []byte(fmt.Sprintf("%spackage %s\n\nimport _ \"embed\"\n\n// LedgerYAML is %s, the ledger of points where the reference pages disagree and\n// what the spec decided (format: spec/README.md).\n//\n//go:embed ledger.yaml\nvar LedgerYAML string\n",
			Header, pkg, c.Ledger))
	}
	return files, nil
}

// normalizeHeader replaces oapi-codegen's first comment (which names its version) with ours,
// so that the output depends only on the spec and the pinned tool.
func normalizeHeader(code string) string {
	if strings.HasPrefix(code, "// Package ") || strings.HasPrefix(code, "// Code generated") {
		if i := strings.Index(code, "\npackage "); i >= 0 {
			return Header + code[i+1:]
		}
	}
	return Header + code
}

func modulePath(root string) (string, error) {
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	return "", fmt.Errorf("go.mod: no module line")
}

// numbersAreDoubles maps a `number` without format to float64 unless the configuration says
// otherwise. oapi-codegen's default, float32, cannot hold the values JSON Schema compares:
// 0.1 becomes 0.10000000149, which a maximum of 0.1 refuses.
func numbersAreDoubles(m *codegen.TypeMapping) *codegen.TypeMapping {
	out := codegen.TypeMapping{}
	if m != nil {
		out = *m
	}
	if out.Number.Default.Type == "" {
		out.Number.Default = codegen.SimpleTypeSpec{Type: "float64"}
	}
	return &out
}
