package store_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/yimayou/yimayou/app/store"
)

// queryCall is one database call found in the store's source with a
// literal filter or sort.
type queryCall struct {
	pos        string
	collection string
	filter     []string
	sort       []string
}

// storeQueries parses the store's non-test sources and returns every
// collection call whose collection is a named constant and whose filter
// or sort is a literal bson.D.
func storeQueries(t *testing.T) []queryCall {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	consts := map[string]string{}
	var parsed []*ast.File
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, af)
		ast.Inspect(af, func(n ast.Node) bool {
			if vs, ok := n.(*ast.ValueSpec); ok {
				for i, name := range vs.Names {
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							consts[name.Name], _ = strconv.Unquote(lit.Value)
						}
					}
				}
			}
			return true
		})
	}
	methods := map[string]bool{"Find": true, "FindOne": true, "DeleteMany": true, "UpdateMany": true,
		"CountDocuments": true, "DeleteOne": true, "UpdateOne": true, "FindOneAndUpdate": true}
	var out []queryCall
	for _, af := range parsed {
		ast.Inspect(af, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || !methods[sel.Sel.Name] || len(call.Args) < 2 {
				return true
			}
			colCall, ok := sel.X.(*ast.CallExpr)
			if !ok || len(colCall.Args) != 1 {
				return true
			}
			if cs, ok := colCall.Fun.(*ast.SelectorExpr); !ok || cs.Sel.Name != "col" {
				return true
			}
			ident, ok := colCall.Args[0].(*ast.Ident)
			if !ok || consts[ident.Name] == "" {
				return true // a partition or a variable: listed by hand
			}
			q := queryCall{pos: fset.Position(call.Pos()).String(), collection: consts[ident.Name],
				filter: literalKeys(call.Args[1])}
			for _, a := range call.Args[2:] {
				ast.Inspect(a, func(n ast.Node) bool {
					if c, ok := n.(*ast.CallExpr); ok {
						if s, ok := c.Fun.(*ast.SelectorExpr); ok && s.Sel.Name == "SetSort" && len(c.Args) == 1 {
							q.sort = literalKeys(c.Args[0])
						}
					}
					return true
				})
			}
			out = append(out, q)
			return true
		})
	}
	return out
}

// literalKeys returns the keys of a literal bson.D{{Key: "k", ...}, ...}.
func literalKeys(e ast.Expr) []string {
	cl, ok := e.(*ast.CompositeLit)
	if !ok {
		return nil
	}
	var keys []string
	for _, el := range cl.Elts {
		inner, ok := el.(*ast.CompositeLit)
		if !ok {
			continue
		}
		for _, f := range inner.Elts {
			kv, ok := f.(*ast.KeyValueExpr)
			if !ok {
				continue
			}
			if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Key" {
				if lit, ok := kv.Value.(*ast.BasicLit); ok {
					s, _ := strconv.Unquote(lit.Value)
					keys = append(keys, s)
				}
			}
		}
	}
	return keys
}

// Every query in the store's source with a literal filter on a field other
// than _id, or a literal sort, is in QueryShapes, so a new query cannot go
// without its declared index unnoticed. (Filters built at run time are
// listed by hand.)
func TestQueryShapesListEveryLiteralQuery(t *testing.T) {
	calls := storeQueries(t)
	if len(calls) < 30 {
		t.Fatalf("found only %d calls: is the parser still finding them?", len(calls))
	}
	checked := 0
	for _, q := range calls {
		var shapes []store.QueryShape
		for _, sh := range store.QueryShapes {
			if sh.Collection == q.collection {
				shapes = append(shapes, sh)
			}
		}
		for _, f := range q.filter {
			if slices.Contains(q.filter, "_id") {
				break // the _id index serves it; other fields only narrow
			}
			checked++
			if !slices.ContainsFunc(shapes, func(sh store.QueryShape) bool {
				return slices.Contains(sh.Equality, f) || slices.Contains(sh.Range, f)
			}) {
				t.Errorf("%s: a query on %s by %q is not in QueryShapes", q.pos, q.collection, f)
			}
		}
		if len(q.sort) > 0 {
			checked++
			if !slices.ContainsFunc(shapes, func(sh store.QueryShape) bool {
				var keys []string
				for _, e := range sh.Sort {
					keys = append(keys, e.Key)
				}
				return slices.Equal(keys, q.sort)
			}) {
				t.Errorf("%s: a query on %s sorted by %v is not in QueryShapes", q.pos, q.collection, q.sort)
			}
		}
	}
	if checked < 10 {
		t.Errorf("checked only %d filters and sorts", checked)
	}
}
