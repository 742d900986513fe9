package pdfdoc

import (
	"encoding/binary"
	"errors"
	"sort"
	"sync"
)

// face is a parsed TrueType font: what a per-document subset needs.
type face struct {
	tables      map[string][]byte
	cmap        map[rune]uint16
	loca        []uint32 // numGlyphs+1 offsets into glyf
	numHMetrics int
}

var faces sync.Map // *byte of the ttf -> *face (one font per process in practice)

type faceEntry struct {
	once sync.Once
	f    *face
	err  error
}

// parsedFace parses ttf once and caches the result.
func parsedFace(ttf []byte) (*face, error) {
	v, _ := faces.LoadOrStore(&ttf[0], &faceEntry{})
	e := v.(*faceEntry)
	e.once.Do(func() { e.f, e.err = parseFace(ttf) })
	return e.f, e.err
}

var be = binary.BigEndian

func parseFace(ttf []byte) (*face, error) {
	if len(ttf) < 12 {
		return nil, errors.New("font too short")
	}
	n := int(be.Uint16(ttf[4:]))
	f := &face{tables: map[string][]byte{}}
	for i := 0; i < n; i++ {
		rec := ttf[12+16*i:]
		off, l := be.Uint32(rec[8:]), be.Uint32(rec[12:])
		if uint64(off)+uint64(l) > uint64(len(ttf)) {
			return nil, errors.New("font table out of range")
		}
		f.tables[string(rec[:4])] = ttf[off : off+l]
	}
	for _, t := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf", "cmap", "name", "OS/2", "post"} {
		if len(f.tables[t]) == 0 {
			return nil, errors.New("font lacks table " + t)
		}
	}
	numGlyphs := int(be.Uint16(f.tables["maxp"][4:]))
	f.numHMetrics = int(be.Uint16(f.tables["hhea"][34:]))
	long := be.Uint16(f.tables["head"][50:]) == 1
	loca := f.tables["loca"]
	f.loca = make([]uint32, numGlyphs+1)
	for i := range f.loca {
		if long && 4*i+4 <= len(loca) {
			f.loca[i] = be.Uint32(loca[4*i:])
		} else if !long && 2*i+2 <= len(loca) {
			f.loca[i] = 2 * uint32(be.Uint16(loca[2*i:]))
		}
	}
	cm, err := parseCmap(f.tables["cmap"])
	if err != nil {
		return nil, err
	}
	f.cmap = cm
	return f, nil
}

// parseCmap reads the Unicode mapping (format 12 if present, else 4).
func parseCmap(t []byte) (map[rune]uint16, error) {
	n := int(be.Uint16(t[2:]))
	var f4, f12 []byte
	for i := 0; i < n; i++ {
		rec := t[4+8*i:]
		pid, eid, off := be.Uint16(rec), be.Uint16(rec[2:]), be.Uint32(rec[4:])
		if int(off)+4 > len(t) {
			continue
		}
		sub := t[off:]
		switch be.Uint16(sub) {
		case 4:
			if pid == 0 || (pid == 3 && eid == 1) {
				f4 = sub
			}
		case 12:
			if pid == 0 || (pid == 3 && eid == 10) {
				f12 = sub
			}
		}
	}
	m := make(map[rune]uint16, 32000)
	switch {
	case f12 != nil:
		groups := int(be.Uint32(f12[12:]))
		for g := 0; g < groups; g++ {
			rec := f12[16+12*g:]
			start, end, gid := be.Uint32(rec), be.Uint32(rec[4:]), be.Uint32(rec[8:])
			for c := start; c <= end && c-start < 0x10000; c++ {
				m[rune(c)] = uint16(gid + c - start)
			}
		}
	case f4 != nil:
		seg := int(be.Uint16(f4[6:])) / 2
		ends, starts := f4[14:], f4[16+2*seg:]
		deltas, ranges := f4[16+4*seg:], f4[16+6*seg:]
		for s := 0; s < seg; s++ {
			start, end := int(be.Uint16(starts[2*s:])), int(be.Uint16(ends[2*s:]))
			delta, ro := int(be.Uint16(deltas[2*s:])), int(be.Uint16(ranges[2*s:]))
			for c := start; c <= end && c != 0xFFFF; c++ {
				var gid int
				if ro == 0 {
					gid = (c + delta) & 0xFFFF
				} else {
					p := 16 + 6*seg + 2*s + ro + 2*(c-start)
					if p+2 > len(f4) {
						continue
					}
					if gid = int(be.Uint16(f4[p:])); gid != 0 {
						gid = (gid + delta) & 0xFFFF
					}
				}
				if gid != 0 {
					m[rune(c)] = uint16(gid)
				}
			}
		}
	default:
		return nil, errors.New("font has no Unicode cmap")
	}
	return m, nil
}

func (f *face) glyph(gid int) []byte {
	if gid+1 >= len(f.loca) {
		return nil
	}
	a, b := f.loca[gid], f.loca[gid+1]
	g := f.tables["glyf"]
	if a >= b || int(b) > len(g) {
		return nil
	}
	return g[a:b]
}

// components calls fn with the offset of each component glyph index in a
// composite glyph.
func components(g []byte, fn func(pos int)) {
	if len(g) < 10 || int16(be.Uint16(g)) >= 0 {
		return
	}
	p := 10
	for p+4 <= len(g) {
		flags := be.Uint16(g[p:])
		fn(p + 2)
		p += 4
		if flags&0x0001 != 0 {
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&0x0008 != 0:
			p += 2
		case flags&0x0040 != 0:
			p += 4
		case flags&0x0080 != 0:
			p += 8
		}
		if flags&0x0020 == 0 {
			return
		}
	}
}

// subsetFont builds a small TrueType font holding only the glyphs of the
// given runes (plus .notdef and composite components), renumbered. The
// PDF library then parses kilobytes instead of the whole CJK face.
func subsetFont(ttf []byte, runes map[rune]bool) ([]byte, error) {
	f, err := parsedFace(ttf)
	if err != nil {
		return nil, err
	}
	used := map[int]bool{0: true}
	var queue []int
	for r := range runes {
		if gid, ok := f.cmap[r]; ok && !used[int(gid)] {
			used[int(gid)] = true
			queue = append(queue, int(gid))
		}
	}
	for len(queue) > 0 {
		g := f.glyph(queue[0])
		queue = queue[1:]
		components(g, func(pos int) {
			c := int(be.Uint16(g[pos:]))
			if !used[c] {
				used[c] = true
				queue = append(queue, c)
			}
		})
	}
	old := make([]int, 0, len(used))
	for g := range used {
		old = append(old, g)
	}
	sort.Ints(old)
	newID := make(map[int]uint16, len(old))
	for i, g := range old {
		newID[g] = uint16(i)
	}
	out := map[string][]byte{}
	for _, t := range []string{"name", "OS/2", "cvt ", "fpgm", "prep", "gasp"} {
		if b := f.tables[t]; b != nil {
			out[t] = b
		}
	}
	post := append([]byte{0, 3, 0, 0}, f.tables["post"][4:32]...)
	out["post"] = post
	var glyf, loca, hmtx []byte
	hm := f.tables["hmtx"]
	for _, g := range old {
		loca = be.AppendUint32(loca, uint32(len(glyf)))
		data := append([]byte(nil), f.glyph(g)...)
		components(data, func(pos int) {
			be.PutUint16(data[pos:], newID[int(be.Uint16(data[pos:]))])
		})
		glyf = append(glyf, data...)
		for len(glyf)%4 != 0 {
			glyf = append(glyf, 0)
		}
		adv := be.Uint16(hm[4*min(g, f.numHMetrics-1):])
		var lsb uint16
		if g < f.numHMetrics {
			lsb = be.Uint16(hm[4*g+2:])
		} else if p := 4*f.numHMetrics + 2*(g-f.numHMetrics); p+2 <= len(hm) {
			lsb = be.Uint16(hm[p:])
		}
		hmtx = be.AppendUint16(be.AppendUint16(hmtx, adv), lsb)
	}
	loca = be.AppendUint32(loca, uint32(len(glyf)))
	out["glyf"], out["loca"], out["hmtx"] = glyf, loca, hmtx
	head := append([]byte(nil), f.tables["head"]...)
	be.PutUint32(head[8:], 0)
	be.PutUint16(head[50:], 1)
	hhea := append([]byte(nil), f.tables["hhea"]...)
	be.PutUint16(hhea[34:], uint16(len(old)))
	maxp := append([]byte(nil), f.tables["maxp"]...)
	be.PutUint16(maxp[4:], uint16(len(old)))
	out["head"], out["hhea"], out["maxp"] = head, hhea, maxp
	out["cmap"] = buildCmap(f.cmap, runes, newID)
	return assemble(out), nil
}

// buildCmap writes a format 4 (3,1) cmap with one segment per BMP rune.
func buildCmap(cm map[rune]uint16, runes map[rune]bool, newID map[int]uint16) []byte {
	var rs []int
	for r := range runes {
		if gid, ok := cm[r]; ok && r < 0xFFFF {
			_ = gid
			rs = append(rs, int(r))
		}
	}
	sort.Ints(rs)
	seg := len(rs) + 1
	sub := make([]byte, 16+8*seg)
	be.PutUint16(sub[0:], 4)
	be.PutUint16(sub[2:], uint16(len(sub)))
	be.PutUint16(sub[6:], uint16(2*seg))
	for i, r := range rs {
		gid := int(newID[int(cm[rune(r)])])
		be.PutUint16(sub[14+2*i:], uint16(r))
		be.PutUint16(sub[16+2*seg+2*i:], uint16(r))
		be.PutUint16(sub[16+4*seg+2*i:], uint16((gid-r)&0xFFFF))
	}
	last := len(rs)
	be.PutUint16(sub[14+2*last:], 0xFFFF)
	be.PutUint16(sub[16+2*seg+2*last:], 0xFFFF)
	be.PutUint16(sub[16+4*seg+2*last:], 1)
	head := []byte{0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12}
	return append(head, sub...)
}

// assemble writes the table directory and the tables, 4-byte aligned.
func assemble(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	n := len(tags)
	out := make([]byte, 12+16*n)
	be.PutUint32(out, 0x00010000)
	be.PutUint16(out[4:], uint16(n))
	es := 0
	for 1<<(es+1) <= n {
		es++
	}
	be.PutUint16(out[6:], uint16(16<<es))
	be.PutUint16(out[8:], uint16(es))
	be.PutUint16(out[10:], uint16(16*n-16<<es))
	for i, t := range tags {
		data := tables[t]
		rec := out[12+16*i:]
		copy(rec, t)
		be.PutUint32(rec[4:], checksum(data))
		be.PutUint32(rec[8:], uint32(len(out)))
		be.PutUint32(rec[12:], uint32(len(data)))
		out = append(out, data...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	return out
}

func checksum(b []byte) uint32 {
	var s uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		s += be.Uint32(w[:])
	}
	return s
}
