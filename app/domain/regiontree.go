package domain

import (
	"cmp"
	"slices"
)

// Node is one node of a region's tree: the top, a division or a county.
// The tree has one, two or three levels: a single county is its own top
// (no level above or below it), a prefecture's counties hang under it, a
// province's counties hang under their division (or under the top when
// no division holds them).
type Node struct {
	Code  string
	Level Level
	// Name is the node's name: the region's short (else long) name for
	// the top, a division's or a county's own. It is empty for the top of
	// a region without names (made up from its counties).
	Name     Text
	Depth    int // 0 for the top
	Children []*Node
}

// Tree builds the region's tree over counties (any order): the top, the
// named divisions inside it, and the counties, each under the division
// that holds it. A region whose top is a county is that county alone.
// Counties outside the region (which content validation refuses, but
// gen-events' synthetic 9901NN counties are) hang directly under the
// top, so that nothing stored is hidden from a region-wide view.
func (r Region) Tree(counties []County) *Node {
	top := &Node{Code: r.Code, Level: LevelOf(r.Code), Name: r.ShortName}
	if len(top.Name) == 0 {
		top.Name = r.Name
	}
	byCode := func(a, b *Node) int { return cmp.Compare(a.Code, b.Code) }
	if top.Level == LevelCounty {
		if i := slices.IndexFunc(counties, func(c County) bool { return c.Code == r.Code }); i >= 0 && len(top.Name) == 0 {
			top.Name = counties[i].Name
		}
	}
	divs := map[string]*Node{}
	for _, d := range r.Divisions {
		if d.Code == r.Code || !r.Contains(d.Code) || LevelOf(d.Code) == LevelCounty || divs[d.Code] != nil {
			continue
		}
		n := &Node{Code: d.Code, Level: LevelOf(d.Code), Name: d.Name, Depth: 1}
		divs[d.Code] = n
		top.Children = append(top.Children, n)
	}
	for _, c := range counties {
		if c.Code == r.Code || LevelOf(c.Code) != LevelCounty {
			continue
		}
		parent := top
		if d := divs[ParentCode(c.Code)]; d != nil {
			parent = d
		}
		parent.Children = append(parent.Children, &Node{Code: c.Code, Level: LevelCounty, Name: c.Name, Depth: parent.Depth + 1})
	}
	// Divisions first, then the counties directly under the top.
	slices.SortStableFunc(top.Children, func(a, b *Node) int {
		if (a.Level == LevelCounty) != (b.Level == LevelCounty) {
			if a.Level == LevelCounty {
				return 1
			}
			return -1
		}
		return byCode(a, b)
	})
	for _, d := range divs {
		slices.SortFunc(d.Children, byCode)
	}
	return top
}

// Nodes lists the node and every node below it, depth first (a parent
// before its children).
func (n *Node) Nodes() []*Node {
	if n == nil {
		return nil
	}
	out := []*Node{n}
	for _, c := range n.Children {
		out = append(out, c.Nodes()...)
	}
	return out
}

// Find returns the node with code in n's subtree, or nil.
func (n *Node) Find(code string) *Node {
	for _, m := range n.Nodes() {
		if m.Code == code {
			return m
		}
	}
	return nil
}

// Path returns the nodes from n down to the node with code (both
// included), or nil when code is not in n's subtree.
func (n *Node) Path(code string) []*Node {
	if n == nil {
		return nil
	}
	if n.Code == code {
		return []*Node{n}
	}
	for _, c := range n.Children {
		if p := c.Path(code); p != nil {
			return append([]*Node{n}, p...)
		}
	}
	return nil
}

// Counties lists the codes of the counties at or below n, in tree order.
func (n *Node) Counties() []string {
	var out []string
	for _, m := range n.Nodes() {
		if m.Level == LevelCounty {
			out = append(out, m.Code)
		}
	}
	return out
}

// ScopeCounties expands scope nodes (any codes of the tree) to the codes
// of the tree's counties inside any of them, in tree order. It is the one
// place a user's scope becomes a list of counties.
func (n *Node) ScopeCounties(nodes []string) []string {
	var out []string
	for _, code := range n.Counties() {
		if slices.ContainsFunc(nodes, func(node string) bool { return NodeContains(node, code) }) {
			out = append(out, code)
		}
	}
	return out
}
