package script

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// This file checks the JUnit report against the rules of the Jenkins/Ant
// junit-10.xsd schema (as the xunit plugin ships it), written out below
// as a table: no XSD validator works offline in Go, and the schema is
// small. The one departure is deliberate: testcases carry file and line,
// which GitLab reads and the schema does not declare.

// xsdElement is what junit-10.xsd allows of one element.
type xsdElement struct {
	attrs    []string          // declared attributes
	required []string          // attributes with use="required"
	patterns map[string]string // attributes of a restricted type, by pattern
	children []string          // elements allowed inside, in any order and number
	mixed    bool              // text allowed between children
	text     bool              // a simple type (xs:string): text, no children
}

// surefireTime is the schema's SUREFIRE_TIME pattern; XSD patterns match
// the whole value.
const surefireTime = `(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?`

var junit10 = map[string]xsdElement{
	"testsuites": {
		attrs:    []string{"name", "time", "tests", "failures", "errors"},
		patterns: map[string]string{"time": surefireTime},
		children: []string{"testsuite"},
	},
	"testsuite": {
		attrs: []string{"name", "tests", "failures", "errors", "group", "time", "skipped", "timestamp",
			"hostname", "id", "package", "file", "log", "url"},
		required: []string{"name", "tests", "failures", "errors"},
		patterns: map[string]string{"time": surefireTime},
		children: []string{"testsuite", "properties", "testcase", "system-out", "system-err"},
	},
	"testcase": {
		attrs:    []string{"name", "time", "classname", "group"},
		required: []string{"name"},
		children: []string{"skipped", "error", "failure", "rerunFailure", "rerunError", "flakyFailure",
			"flakyError", "system-out", "system-err"},
	},
	"failure":    {attrs: []string{"type", "message"}, mixed: true},
	"error":      {attrs: []string{"type", "message"}, mixed: true},
	"skipped":    {attrs: []string{"type", "message"}, mixed: true},
	"properties": {children: []string{"property"}},
	"property":   {attrs: []string{"name", "value"}, required: []string{"name", "value"}},
	"system-out": {text: true},
	"system-err": {text: true},
}

// exempt are the attributes trovemem adds outside the schema, by element.
var exempt = map[string][]string{"testcase": {"file", "line"}}

// xmlNode is a parsed element, enough to check it against the table.
type xmlNode struct {
	name     string
	attrs    map[string]string
	children []*xmlNode
	text     string // character data directly inside
}

func parseXMLTree(data []byte) (*xmlNode, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var stack []*xmlNode
	var root *xmlNode
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{name: tok.Name.Local, attrs: make(map[string]string)}
			if tok.Name.Space != "" {
				return nil, fmt.Errorf("element %s has namespace %q; the schema has none", n.name, tok.Name.Space)
			}
			for _, a := range tok.Attr {
				if _, dup := n.attrs[a.Name.Local]; dup {
					return nil, fmt.Errorf("element %s: attribute %s given twice", n.name, a.Name.Local)
				}
				n.attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, n)
			} else if root != nil {
				return nil, errors.New("more than one root element")
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tok)
			}
		}
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	return root, nil
}

// checkJUnit10 reports every way the document at root breaks junit-10.xsd
// (the exempt attributes aside), and every count that disagrees with the
// testcases it counts.
func checkJUnit10(root *xmlNode) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if root.name != "testsuites" && root.name != "testsuite" {
		bad("root element %s: want testsuites or testsuite", root.name)
	}
	var walk func(n *xmlNode, path string)
	walk = func(n *xmlNode, path string) {
		path += "/" + n.name
		rule, ok := junit10[n.name]
		if !ok {
			bad("%s: element not in the schema", path)
			return
		}
		for a, v := range n.attrs {
			if !slices.Contains(rule.attrs, a) && !slices.Contains(exempt[n.name], a) {
				bad("%s: attribute %s not in the schema", path, a)
			}
			if p, ok := rule.patterns[a]; ok && !regexp.MustCompile(`^(?:`+p+`)$`).MatchString(v) {
				bad("%s: %s=%q does not match the schema's pattern", path, a, v)
			}
		}
		for _, a := range rule.required {
			if _, ok := n.attrs[a]; !ok {
				bad("%s: required attribute %s missing", path, a)
			}
		}
		if (rule.text || len(rule.children) == 0 && !rule.mixed) && len(n.children) > 0 {
			bad("%s: holds element %s, but its type has no child elements", path, n.children[0].name)
		}
		if !rule.text && !rule.mixed && strings.TrimSpace(n.text) != "" {
			bad("%s: holds text %q, but its type is not mixed", path, strings.TrimSpace(n.text))
		}
		for _, c := range n.children {
			if !slices.Contains(rule.children, c.name) {
				bad("%s: element %s not allowed inside", path, c.name)
				continue
			}
			walk(c, path)
		}
	}
	walk(root, "")
	checkCounts(root, bad)
	return problems
}

// checkCounts holds each testsuite's (and the testsuites') tests, failures,
// errors and skipped to whole numbers that agree with its testcases.
func checkCounts(root *xmlNode, bad func(string, ...any)) {
	type counts struct{ tests, failures, errors, skipped int }
	var total counts
	suites := []*xmlNode{root}
	if root.name == "testsuites" {
		suites = root.children
	}
	for _, s := range suites {
		var c counts
		for _, tc := range s.children {
			if tc.name != "testcase" {
				continue
			}
			c.tests++
			for _, o := range tc.children {
				switch o.name {
				case "failure":
					c.failures++
				case "error":
					c.errors++
				case "skipped":
					c.skipped++
				}
			}
		}
		total.tests += c.tests
		total.failures += c.failures
		total.errors += c.errors
		for attr, want := range map[string]int{"tests": c.tests, "failures": c.failures, "errors": c.errors, "skipped": c.skipped} {
			v, ok := s.attrs[attr]
			if !ok && attr == "skipped" {
				continue
			}
			if n, err := strconv.Atoi(v); err != nil || n != want {
				bad("testsuite %s: %s=%q, want %d", s.attrs["name"], attr, v, want)
			}
		}
	}
	if root.name == "testsuites" {
		for attr, want := range map[string]int{"tests": total.tests, "failures": total.failures, "errors": total.errors} {
			if v, ok := root.attrs[attr]; ok {
				if n, err := strconv.Atoi(v); err != nil || n != want {
					bad("testsuites: %s=%q, want %d", attr, v, want)
				}
			}
		}
	}
}

// TestJUnitFollowsTheJUnit10Schema writes a report holding every kind of
// result (a pass, a failure from a sourced file, a parse error, a read
// error, a skip, and logs with characters XML cannot hold) and checks it
// against junit-10.xsd's rules.
func TestJUnitFollowsTheJUnit10Schema(t *testing.T) {
	results := []*ScriptResult{
		{Path: "s/ok.trove", Commands: 3, Duration: 1500 * time.Microsecond, Log: "> buckets\n<a> & ]]> \"q\"\n"},
		{Path: "s/bad.trove", Commands: 2, Duration: 1234 * time.Second, Log: "\x00\x1b[31m\n",
			Failures: []*Failure{{Kind: FailOutput, Loc: Location{File: "s/lib.trove", Line: 7, From: []Location{{File: "s/bad.trove", Line: 2}}},
				Command: "get d k", Msg: "output differs", Detail: "--- expected\n+++ actual\n-<a>\n+]]>\n"}}},
		{Path: "s/broken.trove", Err: errors.New("s/broken.trove:1:6: unterminated single quote")},
		{Path: "s/top.trove", Err: &ParseErrors{Errs: []*ParseError{{File: "s/top.trove", Line: 9, Col: 1, Msg: "unknown command nope"}}}},
		{Path: "s/cloud.trove", Commands: 0, Skipped: true, SkipReason: "set CLOUD to run"},
	}
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, "trovemem", results); err != nil {
		t.Fatal(err)
	}
	root, err := parseXMLTree(buf.Bytes())
	if err != nil {
		t.Fatalf("report is not well-formed XML: %v\n%s", err, buf.String())
	}
	if problems := checkJUnit10(root); len(problems) > 0 {
		t.Errorf("report breaks junit-10.xsd:\n  %s\nreport:\n%s", strings.Join(problems, "\n  "), buf.String())
	}
}

// TestJUnit10CheckFindsViolations holds the checker to the schema: each
// document breaks one rule, and the checker must say so.
func TestJUnit10CheckFindsViolations(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"unknown attribute", `<testsuites><testsuite name="a" tests="0" failures="0" errors="0" color="red"/></testsuites>`, "attribute color not in the schema"},
		{"missing required", `<testsuites><testsuite name="a" tests="0" failures="0"/></testsuites>`, "required attribute errors missing"},
		{"testcase without name", `<testsuite name="a" tests="1" failures="0" errors="0"><testcase/></testsuite>`, "required attribute name missing"},
		{"bad nesting", `<testsuites><testcase name="x"/></testsuites>`, "element testcase not allowed inside"},
		{"unknown element", `<testsuite name="a" tests="1" failures="0" errors="0"><testcase name="x"><note/></testcase></testsuite>`, "element note not allowed inside"},
		{"bad time", `<testsuite name="a" tests="0" failures="0" errors="0" time="1.5s"/>`, `time="1.5s" does not match`},
		{"text in testcase", `<testsuite name="a" tests="1" failures="0" errors="0"><testcase name="x">oops</testcase></testsuite>`, "its type is not mixed"},
		{"element in system-out", `<testsuite name="a" tests="1" failures="0" errors="0"><testcase name="x"><system-out><b/></system-out></testcase></testsuite>`, "has no child elements"},
		{"count off", `<testsuite name="a" tests="2" failures="0" errors="0"><testcase name="x"/></testsuite>`, `tests="2", want 1`},
		{"count not a number", `<testsuite name="a" tests="1" failures="none" errors="0"><testcase name="x"/></testsuite>`, `failures="none", want 0`},
		{"skipped count", `<testsuite name="a" tests="1" failures="0" errors="0" skipped="0"><testcase name="x"><skipped/></testcase></testsuite>`, `skipped="0", want 1`},
		{"wrong root", `<report/>`, "root element report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, err := parseXMLTree([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			problems := strings.Join(checkJUnit10(root), "\n")
			if !strings.Contains(problems, tt.want) {
				t.Errorf("got problems %q, want one saying %q", problems, tt.want)
			}
		})
	}
	valid := `<testsuites tests="1" failures="1" errors="0"><testsuite name="a" tests="1" failures="1" errors="0" time="1,234.5"><testcase name="x" file="f" line="3"><failure message="m">text</failure><system-out>o</system-out></testcase></testsuite></testsuites>`
	root, err := parseXMLTree([]byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	if problems := checkJUnit10(root); len(problems) > 0 {
		t.Errorf("got problems %q for a valid document, want none", problems)
	}
}
