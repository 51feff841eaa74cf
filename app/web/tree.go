package web

import (
	"github.com/yimayou/yimayou/app/catalog"
	"github.com/yimayou/yimayou/app/domain"
)

// The region's tree (domain.Region.Tree) as pages use it: a user's scope is
// any nodes of it, lists and filters work on the counties those nodes
// hold, and pickers offer the nodes indented by depth.

// countiesInScope are the codes of the counties inside the user's scope, in
// tree order: every county for a region-wide admin. It is the one place a
// scope of nodes becomes counties; it is never nil (an empty scope is an
// empty list, not "no filter").
func countiesInScope(u *domain.User, snap *catalog.Snapshot) []string {
	tree := snap.Tree()
	var out []string
	if u != nil && u.RegionWide() {
		out = tree.Counties()
	} else if u != nil {
		out = tree.ScopeCounties(u.Counties)
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// nodeName is a node's name in lang; the top of a region with no names
// (one made up from its counties) is "the whole region".
func nodeName(v *view, n *domain.Node) localized {
	if n == nil {
		return localized{}
	}
	if len(n.Name) == 0 {
		return localized{S: v.T("tree.whole_region")}
	}
	return loc(n.Name, v.Lang)
}

// nodeOption is one node of a picker (the user form's scope, the banner
// form's area), indented by its depth below the first node offered.
type nodeOption struct {
	Code    string
	Name    localized
	Level   domain.Level
	Indent  int
	Current bool
}

// nodeOptions lists the nodes of the tree the user may act on (those
// inside their scope), parent before children; top says whether the top
// node itself is offered.
func nodeOptions(v *view, tree *domain.Node, u *domain.User, top bool, current func(string) bool) []nodeOption {
	var out []nodeOption
	base := -1
	for _, n := range tree.Nodes() {
		if (n == tree && (!top || n.Code == "")) || u == nil || !u.CanAccessCounty(n.Code) {
			continue
		}
		if base < 0 {
			base = n.Depth
		}
		out = append(out, nodeOption{Code: n.Code, Name: nodeName(v, n), Level: n.Level, Indent: max(0, n.Depth-base),
			Current: current != nil && current(n.Code)})
	}
	return out
}

// treeCrumbs are the names of the divisions between the region's top and
// a county, for a public page's breadcrumbs (none in a prefecture); one
// says the region is that county alone, so its page is the home page.
func treeCrumbs(v *view, tree *domain.Node, county string) ([]localized, bool) {
	if tree.Code == county {
		return nil, true
	}
	var out []localized
	for _, n := range tree.Path(county) {
		if n != tree && n.Code != county {
			out = append(out, nodeName(v, n))
		}
	}
	return out, false
}
