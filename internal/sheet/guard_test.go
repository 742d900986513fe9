package sheet_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// excelizeOpeners are the excelize functions that read a workbook.
var excelizeOpeners = map[string]bool{"OpenReader": true, "OpenFile": true}

// TestOnlySheetOpensWorkbooks fails when Go code outside internal/sheet
// (tests aside) calls excelize's open functions: every uploaded workbook
// must go through sheet.Open and its limits.
func TestOnlySheetOpensWorkbooks(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	own := filepath.Join(root, "internal", "sheet")
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || filepath.Dir(path) == own {
			return nil
		}
		files++
		for _, call := range openerCalls(t, path) {
			rel, _ := filepath.Rel(root, path)
			t.Errorf("%s:%s calls excelize.%s: open uploaded workbooks with sheet.Open", rel, call.line, call.name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("scanned only %d Go files under %s", files, root)
	}
}

type openerCall struct{ name, line string }

// openerCalls finds uses of excelize's open functions in one file, under
// whatever name the file imports excelize.
func openerCalls(t *testing.T, path string) []openerCall {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if !strings.HasPrefix(p, "github.com/xuri/excelize") {
			continue
		}
		switch {
		case imp.Name == nil:
			names["excelize"] = true
		case imp.Name.Name == ".":
			t.Errorf("%s dot-imports excelize", path)
		default:
			names[imp.Name.Name] = true
		}
	}
	var out []openerCall
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok && names[id.Name] && excelizeOpeners[sel.Sel.Name] {
			out = append(out, openerCall{sel.Sel.Name, strconv.Itoa(fset.Position(sel.Pos()).Line)})
		}
		return true
	})
	return out
}
