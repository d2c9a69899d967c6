package store

import (
	"errors"
	"testing"
)

// FuzzLabelSelector: any string either parses or is invalid_input on label_selector; a parsed
// selector never panics on any labels and matches deterministically; a selector built from a
// valid label matches exactly that label.
//
//	cd internal/store && go test -run '^$' -fuzz '^FuzzLabelSelector$' -fuzztime 10s .
func FuzzLabelSelector(f *testing.F) {
	for _, s := range []string{"env=prod", "env==prod", "env!=prod", "env", "!env", "env in (a,b)",
		"env notin (a, b)", "a=b,c!=d,!e,f in (g)", "example.com/team=x", "", " ", ",", "(", ")", "a in (b",
		"a in ((b))", "=x", "a=b=c", "!", "a in ()", "a notin (,)", "hetzner.cloud/x=y", "ä=ö"} {
		f.Add(s, "env", "prod")
	}
	f.Fuzz(func(t *testing.T, s, key, value string) {
		sel, err := ParseSelector(s)
		if err != nil {
			var se *Error
			if !errors.As(err, &se) || se.Code != CodeInvalidInput {
				t.Fatalf("ParseSelector(%q): %v is not invalid_input", s, err)
			}
			fields, ok := se.Details.(InvalidFields)
			if !ok || len(fields.Fields) != 1 || fields.Fields[0].Name != "label_selector" {
				t.Fatalf("ParseSelector(%q): details %#v do not name label_selector", s, se.Details)
			}
			return
		}
		for _, r := range sel {
			if !hcloudLabelKeyRE.MatchString(r.key) {
				t.Fatalf("ParseSelector(%q) accepted the key %q", s, r.key)
			}
		}
		labels := map[string]string{key: value}
		if sel.Matches(labels) != sel.Matches(labels) {
			t.Fatalf("%q matches %v differently twice", s, labels)
		}
		_ = sel.Matches(nil)

		if ValidateLabels(labels) != nil || value == "" {
			return
		}
		eq, err := ParseSelector(key + "=" + value)
		if err != nil || !eq.Matches(labels) {
			t.Fatalf("%s=%s does not match its own label (%v)", key, value, err)
		}
		absent, err := ParseSelector("!" + key)
		if err != nil || absent.Matches(labels) {
			t.Fatalf("!%s matches a resource that has it (%v)", key, err)
		}
	})
}
