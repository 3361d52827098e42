package main

import (
	"encoding/xml"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// junitDoc is a JUnit report as the CI systems that read it see it,
// declared apart from the writer's types so the check is independent.
type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Suites   []struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Errors   int `xml:"errors,attr"`
		Cases    []struct {
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
				Text    string `xml:",chardata"`
			} `xml:"error"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// cmdJUnitCheck is the script command "junitcheck FILE [CHECK...]": it
// parses FILE as JUnit XML, checks that every testcase has a classname, a
// file and a time in seconds, that the counts in the attributes agree
// with the testcases, and then each CHECK:
//
//	tests=N failures=N errors=N   the totals
//	NAME=ok|failure|error         testcase NAME's outcome
//	NAME.file=F NAME.line=N       where testcase NAME points
//	NAME.text=S                   S appears in its failure or error text
//
// "! junitcheck" passes when some check fails, so a script can show that
// the checks do look.
func cmdJUnitCheck(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 {
		ts.Fatalf("usage: junitcheck FILE [CHECK...]")
	}
	data, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	err = checkJUnit(data, args[1:])
	switch {
	case err != nil && !neg:
		ts.Fatalf("junitcheck %s: %v", args[0], err)
	case err == nil && neg:
		ts.Fatalf("junitcheck %s: every check holds, want one not to", args[0])
	case err != nil:
		ts.Logf("junitcheck %s: %v (as expected)", args[0], err)
	}
}

// checkJUnit parses a JUnit report and runs the checks on it.
func checkJUnit(data []byte, checks []string) error {
	var doc junitDoc
	if err := xml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("does not parse as JUnit XML: %v", err)
	}
	type outcome struct {
		status, file, text string
		line               int
	}
	cases := map[string]outcome{}
	tests, failures, errs := 0, 0, 0
	for _, s := range doc.Suites {
		st, sf, se := 0, 0, 0
		for _, c := range s.Cases {
			if c.Name == "" || c.Classname == "" || c.File == "" {
				return fmt.Errorf("testcase %+v: want a name, a classname and a file", c)
			}
			if _, err := strconv.ParseFloat(c.Time, 64); err != nil {
				return fmt.Errorf("testcase %s: time %q is not seconds", c.Name, c.Time)
			}
			o := outcome{status: "ok", file: c.File, line: c.Line}
			st++
			if c.Failure != nil {
				o.status, o.text = "failure", c.Failure.Message+"\n"+c.Failure.Text
				sf++
			}
			if c.Error != nil {
				o.status, o.text = "error", c.Error.Message+"\n"+c.Error.Text
				se++
			}
			cases[c.Name] = o
		}
		if st != s.Tests || sf != s.Failures || se != s.Errors {
			return fmt.Errorf("testsuite says tests=%d failures=%d errors=%d, its testcases are %d, %d, %d", s.Tests, s.Failures, s.Errors, st, sf, se)
		}
		tests, failures, errs = tests+st, failures+sf, errs+se
	}
	if tests != doc.Tests || failures != doc.Failures || errs != doc.Errors {
		return fmt.Errorf("testsuites says tests=%d failures=%d errors=%d, its testcases are %d, %d, %d", doc.Tests, doc.Failures, doc.Errors, tests, failures, errs)
	}
	for _, check := range checks {
		key, want, ok := strings.Cut(check, "=")
		if !ok {
			return fmt.Errorf("%q is not KEY=VALUE", check)
		}
		var got string
		switch key {
		case "tests":
			got = strconv.Itoa(tests)
		case "failures":
			got = strconv.Itoa(failures)
		case "errors":
			got = strconv.Itoa(errs)
		default:
			name, field, _ := strings.Cut(key, ".")
			c, ok := cases[name]
			if !ok {
				return fmt.Errorf("no testcase %q", name)
			}
			switch field {
			case "":
				got = c.status
			case "file":
				got = c.file
			case "line":
				got = strconv.Itoa(c.line)
			case "text":
				if !strings.Contains(c.text, want) {
					return fmt.Errorf("testcase %s: text %q does not contain %q", name, c.text, want)
				}
				continue
			default:
				return fmt.Errorf("unknown check %q", key)
			}
		}
		if got != want {
			return fmt.Errorf("%s: got %s, want %s", key, got, want)
		}
	}
	return nil
}
