package script

import (
	"bytes"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestWriteJUnit(t *testing.T) {
	results := []*ScriptResult{
		{Path: "scripts/ok.trove", Commands: 3, Duration: 1500 * time.Microsecond, Log: "> buckets\n"},
		{Path: "scripts/bad.trove", Commands: 2, Duration: 2 * time.Millisecond, Log: "> get d k\n\x00binary\n",
			Failures: []*Failure{{
				Kind: FailOutput, Loc: Location{File: "scripts/lib.trove", Line: 7, From: []Location{{File: "scripts/bad.trove", Line: 2}}},
				Command: "get d k", Msg: "output differs", Detail: "--- expected\n+++ actual\n-a\n+b\n",
			}}},
		{Path: "scripts/broken.trove", Err: errors.New("scripts/broken.trove:1:6: unterminated single quote")},
		{Path: "scripts/top.trove", Err: &ParseErrors{Errs: []*ParseError{{File: "scripts/inc.trove", Line: 9, Col: 1,
			Msg: "unknown command nope", From: []Location{{File: "scripts/top.trove", Line: 5}}}}}},
	}
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, "trovemem", results); err != nil {
		t.Fatal(err)
	}
	// Parse it back with a reader's view of the schema, independent of the
	// writer's types.
	var doc struct {
		XMLName  xml.Name `xml:"testsuites"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Errors   int      `xml:"errors,attr"`
		Suite    []struct {
			Tests int `xml:"tests,attr"`
			Cases []struct {
				Name      string `xml:"name,attr"`
				Classname string `xml:"classname,attr"`
				File      string `xml:"file,attr"`
				Line      int    `xml:"line,attr"`
				Time      string `xml:"time,attr"`
				Failure   *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
				Error *struct {
					Message string `xml:"message,attr"`
				} `xml:"error"`
				SystemOut string `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("report does not parse back: %v\n%s", err, buf.String())
	}
	if doc.Tests != 4 || doc.Failures != 1 || doc.Errors != 2 {
		t.Errorf("got tests=%d failures=%d errors=%d, want 4, 1, 2", doc.Tests, doc.Failures, doc.Errors)
	}
	if len(doc.Suite) != 1 || len(doc.Suite[0].Cases) != 4 {
		t.Fatalf("got %d suites, want 1 with 4 testcases:\n%s", len(doc.Suite), buf.String())
	}
	cs := doc.Suite[0].Cases
	if c := cs[0]; c.Name != "ok" || c.Classname != "scripts/ok.trove" || c.File != "scripts/ok.trove" || c.Time != "0.002" || c.Failure != nil {
		t.Errorf("got passing case %+v, want name ok, classname and file scripts/ok.trove, time 0.002, no failure", c)
	}
	if c := cs[0]; c.SystemOut != "> buckets\n" {
		t.Errorf("got system-out %q, want the command log", c.SystemOut)
	}
	// The failure is in lib.trove, which bad.trove sources on its line 2:
	// the testcase points at bad.trove:2, a line in its own file.
	if c := cs[1]; c.File != "scripts/bad.trove" || c.Line != 2 {
		t.Errorf("got testcase file %q line %d, want scripts/bad.trove line 2 (the source line)", c.File, c.Line)
	}
	if c := cs[3]; c.File != "scripts/top.trove" || c.Line != 5 {
		t.Errorf("got testcase file %q line %d, want scripts/top.trove line 5 (the source line)", c.File, c.Line)
	}
	f := cs[1].Failure
	if f == nil {
		t.Fatalf("got no failure for bad.trove")
	}
	if want := "scripts/lib.trove:7 (from scripts/bad.trove:2): get d k: output differs"; f.Message != want {
		t.Errorf("got failure message %q, want %q", f.Message, want)
	}
	if !strings.Contains(f.Text, "+b") || !strings.Contains(f.Text, "scripts/lib.trove:7") {
		t.Errorf("got failure text %q, want the location and the diff", f.Text)
	}
	if strings.Contains(cs[1].SystemOut, "\x00") {
		t.Errorf("got a NUL in system-out, which is not valid XML")
	}
	if e := cs[2].Error; e == nil || !strings.Contains(e.Message, "broken.trove:1:6") {
		t.Errorf("got error %+v, want the parse error with file:line:col", e)
	}
}

func TestLocationString(t *testing.T) {
	tests := []struct {
		loc  Location
		want string
	}{
		{Location{File: "a.trove", Line: 3}, "a.trove:3"},
		{Location{File: "b.trove", Line: 4, From: []Location{{File: "a.trove", Line: 2}}}, "b.trove:4 (from a.trove:2)"},
		{Location{File: "c.trove", Line: 1, From: []Location{{File: "b.trove", Line: 4}, {File: "a.trove", Line: 2}}},
			"c.trove:1 (from b.trove:4, from a.trove:2)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.loc.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
