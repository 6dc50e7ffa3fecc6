package source

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// TestLoadFiles holds what may be read: regular files within the size
// limits, and every other kind of file or size reported with its path.
func TestLoadFiles(t *testing.T) {
	const note = "---\ntitle: Т\ndate: 2025-03-17\nkind: delegation\nregions: [guangdong]\n---\n"
	big := note + strings.Repeat("текст ", 1<<20)
	bomb := "a0: &a0 x\n"
	for i := 1; i <= 9; i++ {
		bomb += strings.ReplaceAll("aN: &aN [*aP, *aP, *aP, *aP, *aP, *aP, *aP, *aP, *aP]\n", "N", string(rune('0'+i)))
		bomb = strings.ReplaceAll(bomb, "aP", "a"+string(rune('0'+i-1)))
	}
	// A value long enough that repeating it twice is more than the file.
	long := strings.Repeat("слово ", 2000)
	tests := []struct {
		name  string
		files fstest.MapFS
		want  []string
	}{
		{"a named pipe", fstest.MapFS{"content/2025/a.md": {Mode: fs.ModeNamedPipe}},
			[]string{`content/2025/a.md: a named pipe, not a regular file: only regular files are read`}},
		{"a device", fstest.MapFS{"content/2025/a.md": {Mode: fs.ModeDevice | fs.ModeCharDevice}},
			[]string{`content/2025/a.md: a device, not a regular file: only regular files are read`}},
		{"a socket", fstest.MapFS{"content/2025/a.md": {Mode: fs.ModeSocket}},
			[]string{`content/2025/a.md: a socket, not a regular file: only regular files are read`}},
		{"a symbolic link to a pipe", fstest.MapFS{"content/2025/a.md": {Data: []byte("p"), Mode: fs.ModeSymlink}, "content/2025/p": {Mode: fs.ModeNamedPipe}},
			[]string{`content/2025/a.md: a named pipe, not a regular file: only regular files are read`}},
		{"a symbolic link to nothing", fstest.MapFS{"content/2025/a.md": {Data: []byte("nowhere"), Mode: fs.ModeSymlink}},
			[]string{`content/2025/a.md: a symbolic link to a file that does not exist`}},
		{"a symbolic link to a note", fstest.MapFS{"content/2025/a.md": {Data: []byte("../b"), Mode: fs.ModeSymlink}, "content/b": {Data: []byte(note)}},
			nil},
		{"a note over the limit", fstest.MapFS{"content/2025/a.md": {Data: []byte(big)}},
			[]string{`content/2025/a.md: 11.0 MB, more than the limit of 4 MB for a note (limits.note in content/site.yaml)`}},
		{"a note just over the limit", fstest.MapFS{"content/2025/a.md": {Data: []byte(note + strings.Repeat("a", DefaultNoteLimit-len(note)+1))}},
			[]string{`content/2025/a.md: 4194305 bytes, more than the limit of 4 MB for a note (limits.note in content/site.yaml)`}},
		{"a note at the limit", fstest.MapFS{"content/2025/a.md": {Data: []byte(note + strings.Repeat("a", DefaultNoteLimit-len(note)))}},
			nil},
		{"front matter over the limit", fstest.MapFS{"content/2025/a.md": {Data: []byte(strings.Replace(note, "title: Т", "title: "+strings.Repeat("т", 600<<10), 1))}},
			[]string{`content/2025/a.md:1:1: front matter: 1.2 MB, more than the limit of 256 KB for front matter (limits.front_matter in content/site.yaml)`}},
		{"limits set in site.yaml", fstest.MapFS{
			"content/site.yaml": {Data: []byte("limits:\n  note: 2 KB\n  front_matter: 1KB\n")},
			"content/2025/a.md": {Data: []byte(note + strings.Repeat("a", 2<<10))},
			"content/2025/b.md": {Data: []byte(strings.Replace(note, "title: Т", "title: "+strings.Repeat("a", 1<<10), 1))},
			"content/2025/c.md": {Data: []byte(note + strings.Repeat("a", 1900))},
		}, []string{
			`content/2025/a.md: 2121 bytes, more than the limit of 2 KB for a note (limits.note in content/site.yaml)`,
			`content/2025/b.md:1:1: front matter: 1087 bytes, more than the limit of 1 KB for front matter (limits.front_matter in content/site.yaml)`,
		}},
		{"limits that cannot be", fstest.MapFS{"content/site.yaml": {Data: []byte("limits:\n  note: 100 MB\n  front_matter: lots\n  body: 1\n")}},
			[]string{
				`content/site.yaml:2:9: limits.note "100 MB": must be a size from 1 KB to 64 MB, such as 4 MB or 512 KB`,
				`content/site.yaml:3:17: limits.front_matter "lots": must be a size from 1 KB to 64 MB, such as 4 MB or 512 KB`,
				`content/site.yaml:4:3: unknown limit "body" (known: note, front_matter, file)`,
			}},
		{"front matter limit over the note limit", fstest.MapFS{"content/site.yaml": {Data: []byte("limits: {note: 2 MB, front_matter: 3 MB}\n")}},
			[]string{`content/site.yaml:1:36: limits.front_matter 3 MB is more than limits.note 2 MB`}},
		{"site.yaml over its limit", fstest.MapFS{"content/site.yaml": {Data: []byte("title: " + strings.Repeat("a", SiteFileLimit) + "\n")}},
			[]string{`content/site.yaml: 1048584 bytes, more than the limit of 1 MB for site.yaml`}},
		{"a taxonomy file over its limit", fstest.MapFS{"content/taxonomy/kinds.yaml": {Data: []byte("# " + strings.Repeat("a", 2*SiteFileLimit) + "\n")}},
			[]string{`content/taxonomy/kinds.yaml: 2.0 MB, more than the limit of 1 MB for a taxonomy file`}},
		{"site.yaml a named pipe", fstest.MapFS{"content/site.yaml": {Mode: fs.ModeNamedPipe}},
			[]string{`content/site.yaml: a named pipe, not a regular file: only regular files are read`}},
		{"a key given twice in site.yaml", fstest.MapFS{"content/site.yaml": {Data: []byte("per_page: 5\ntitle: x\nper_page: 6\n")}},
			[]string{`content/site.yaml:3:1: field "per_page" is given twice`}},
		{"a key given twice in a taxonomy entry", fstest.MapFS{"content/taxonomy/kinds.yaml": {Data: []byte("- slug: expo\n  name: {ru: Выставка, ru: Ярмарка}\n  slug: fair\n")}},
			[]string{`content/taxonomy/kinds.yaml:2:24: field "ru" is given twice`, `content/taxonomy/kinds.yaml:3:3: field "slug" is given twice`}},
		{"aliases that repeat too much in site.yaml", fstest.MapFS{"content/site.yaml": {Data: []byte(bomb + "title: *a9\n")}},
			[]string{`content/site.yaml:5:15: alias *a3: the aliases would repeat more than 4 KB; write the values out instead`}},
		{"aliases that repeat too much in a taxonomy file", fstest.MapFS{"content/taxonomy/kinds.yaml": {Data: []byte("- slug: expo\n  name: {ru: Выставка}\n  aliases: &x [aaaaaaaa, aaaaaaaa, aaaaaaaa, aaaaaaaa, aaaaaaaa, aaaaaaaa, aaaaaaaa, aaaaaaaa]\n- {slug: fair, name: {ru: Ярмарка}, aliases: [*x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x]}\n")}},
			[]string{`content/taxonomy/kinds.yaml:4:271: alias *x: the aliases would repeat more than 4 KB; write the values out instead`}},
		{"aliases that repeat a long value in a note", fstest.MapFS{"content/2025/a.md": {Data: []byte(
			"---\ntitle: &t \"" + long + "\"\ndate: 2025-03-17\nkind: delegation\nregions: [guangdong]\nplaces: [*t, *t]\n---\n")}},
			[]string{`content/2025/a.md:6:14: alias *t: the aliases would repeat more than the 21.6 KB written out; write the values out instead`}},
		{"an alias of a long value within the budget", fstest.MapFS{"content/2025/a.md": {Data: []byte(
			"---\ntitle: Т\nplaces: [&t \"" + long + "\"]\norganizations: [*t]\ndate: 2025-03-17\nkind: delegation\nregions: [guangdong]\n---\n")}},
			nil},
		{"aliases that repeat a long value in a taxonomy file", fstest.MapFS{"content/taxonomy/kinds.yaml": {Data: []byte(
			"- slug: expo\n  name: {ru: Выставка}\n  group: &g " + long + "\n- slug: fair\n  name: {ru: Ярмарка}\n  group: *g\n- slug: forum\n  name: {ru: Форум}\n  group: *g\n")}},
			[]string{`content/taxonomy/kinds.yaml:9:10: alias *g: the aliases would repeat more than the 21.6 KB written out; write the values out instead`}},
		{"aliases that repeat a long value in site.yaml", fstest.MapFS{"content/site.yaml": {Data: []byte(
			"title: &t " + long + "\nimage_alt: *t\nlanguage: *t\n")}},
			[]string{`content/site.yaml:3:11: alias *t: the aliases would repeat more than the 21.5 KB written out; write the values out instead`}},
		{"an entry indented wrongly deep in a taxonomy file", fstest.MapFS{"content/taxonomy/kinds.yaml": {Data: []byte(
			"# Kinds.\n\n- slug: expo\n  name: {ru: Выставка}\n- slug: fair\n  name: {ru: Ярмарка}\n- slug: forum\n  name: {ru: Форум}\n aliases: [съезд]\n")}},
			[]string{`content/taxonomy/kinds.yaml:9:2: YAML syntax: did not find expected '-' indicator`}},
		{"an entry without its dash in a taxonomy file", fstest.MapFS{"content/taxonomy/kinds.yaml": {Data: []byte(
			"# Kinds.\n- slug: expo\n  name: {ru: Выставка}\nslug: fair\n  name: {ru: Ярмарка}\n- slug: forum\n  name: {ru: Форум}\n")}},
			[]string{`content/taxonomy/kinds.yaml:4:1: YAML syntax: did not find expected '-' indicator`}},
		{"a field indented wrongly in a taxonomy entry", fstest.MapFS{"content/taxonomy/kinds.yaml": {Data: []byte(
			"# Kinds.\n- slug: expo\n  name: {ru: Выставка}\n  aliases:\n    - ярмарка\n    - салон\n   - форум\n")}},
			[]string{`content/taxonomy/kinds.yaml:7:4: YAML syntax: did not find expected key`}},
		{"a syntax error in a list of a taxonomy file with a byte-order mark", fstest.MapFS{"content/taxonomy/kinds.yaml": {Data: []byte(
			"\ufeff# Kinds.\n- slug: expo\n  name: {ru: Выставка}\n- slug: fair\n  name: {ru: Ярмарка}\n aliases: [салон]\n")}},
			[]string{`content/taxonomy/kinds.yaml:6:2: YAML syntax: did not find expected '-' indicator`}},
		{"a syntax error in a taxonomy file with CR LF", fstest.MapFS{"content/taxonomy/kinds.yaml": {Data: []byte(
			"# Kinds.\r\n- slug: expo\r\n  name: {ru: Выставка}\r\n- slug: fair\r\n  name: {ru: Ярмарка}\r\n aliases: [салон]\r\n")}},
			[]string{`content/taxonomy/kinds.yaml:6:2: YAML syntax: did not find expected '-' indicator`}},
		{"text after a value in a taxonomy entry", fstest.MapFS{"content/taxonomy/kinds.yaml": {Data: []byte(
			"# Kinds.\n- slug: expo\n  name: {ru: Выставка}\n- slug: fair\n  name: {ru: Ярмарка} лишнее\n")}},
			[]string{`content/taxonomy/kinds.yaml:5:1: YAML syntax: did not find expected key`}},
		{"a syntax error in a taxonomy file after an alias", fstest.MapFS{"content/taxonomy/kinds.yaml": {Data: []byte(
			"# Kinds.\n- slug: expo\n  name: &n {ru: Выставка}\n- slug: fair\n  name: *n\n aliases: [салон]\n")}},
			[]string{`content/taxonomy/kinds.yaml:6:2: YAML syntax: did not find expected '-' indicator`}},
		// Read alone, the list repeats an anchor it does not hold: the mistake is told where the list starts.
		{"a syntax error in a list that repeats an anchor above it", fstest.MapFS{"content/taxonomy/kinds.yaml": {Data: []byte(
			"# Kinds.\n- slug: expo\n  name: {ru: &n Выставка}\n  aliases:\n    - *n\n    - салон\n    форум: x\n")}},
			[]string{`content/taxonomy/kinds.yaml:5:1: YAML syntax: did not find expected '-' indicator`}},
		{"a setting indented wrongly in site.yaml", fstest.MapFS{"content/site.yaml": {Data: []byte(
			"title: Дайджест\nbase_url: https://example.org\nlimits:\n  note: 4 MB\n  file: 8 MB\n front_matter: 128 KB\n")}},
			[]string{`content/site.yaml:6:2: YAML syntax: did not find expected key`}},
		{"a person's field indented wrongly in a note", fstest.MapFS{"content/2025/a.md": {Data: []byte(
			"---\ntitle: Т\ndate: 2025-03-17\nkind: delegation\nregions: [guangdong]\npeople:\n  - name: А\n    role: р\n  - name: Б\n   role: с\n---\n")}},
			[]string{`content/2025/a.md:10:4: YAML syntax: did not find expected '-' indicator`}},
		{"a quote that does not close in a note", fstest.MapFS{"content/2025/a.md": {Data: []byte(
			"---\ntitle: \"Т\ndate: 2025-03-17\nkind: delegation\nregions: [guangdong]\n---\n")}},
			[]string{`content/2025/a.md:2:8: YAML syntax: a quote that does not close: found unexpected end of stream`}},
		// A value that begins with a character YAML reserves, which an
		// editor means as text: the fix is said.
		{"a title that starts with an asterisk", fstest.MapFS{"content/2025/a.md": {Data: []byte(
			"---\ntitle: *Важно* визит\ndate: 2025-03-17\nkind: delegation\nregions: [guangdong]\n---\n")}},
			[]string{`content/2025/a.md:2:8: YAML syntax: did not find expected alphabetic or numeric character: a value that starts with '*' needs quotes`}},
		{"a person's name that starts with an asterisk", fstest.MapFS{"content/2025/a.md": {Data: []byte(
			"---\ntitle: Т\ndate: 2025-03-17\nkind: delegation\nregions: [guangdong]\npeople:\n  - name: *Важно* Иванов\n---\n")}},
			[]string{`content/2025/a.md:7:11: YAML syntax: did not find expected alphabetic or numeric character: a value that starts with '*' needs quotes`}},
		{"a list item that starts with a backtick", fstest.MapFS{"content/2025/a.md": {Data: []byte(
			"---\ntitle: Т\ndate: 2025-03-17\nkind: delegation\nregions: [guangdong]\nplaces:\n  - `Харбин`\n---\n")}},
			[]string{"content/2025/a.md:7:5: YAML syntax: found character that cannot start any token: a value that starts with '`' needs quotes"}},
		{"a quote that does not close after one over two lines", fstest.MapFS{"content/taxonomy/kinds.yaml": {Data: []byte(
			"- slug: expo\n  name: {ru: \"Выставка\n    и ярмарка\"}\n- slug: fair\n  name: {ru: 'Ярмарка}\n")}},
			[]string{`content/taxonomy/kinds.yaml:5:14: YAML syntax: a quote that does not close: found unexpected end of stream`}},
		{"an image beside the note", fstest.MapFS{
			"content/2025/a.md":      {Data: []byte(withImage("photo.jpg", "Фото"))},
			"content/2025/photo.jpg": {Data: []byte("jpeg")},
		}, nil},
		{"an image of content/static/", fstest.MapFS{
			"content/2025/a.md":            {Data: []byte(withImage("/img/photo.jpg", "Фото"))},
			"content/static/img/photo.jpg": {Data: []byte("jpeg")},
		}, nil},
		{"an image in a folder above the note's", fstest.MapFS{
			"content/2025/a.md":      {Data: []byte(withImage("../shared/map.png", "Карта"))},
			"content/shared/map.png": {Data: []byte("png")},
		}, nil},
		{"an image that is not there", fstest.MapFS{"content/2025/a.md": {Data: []byte(withImage("photo.jpg", "Фото"))}},
			[]string{`content/2025/a.md:6:8: image "photo.jpg": no file content/2025/photo.jpg`}},
		{"an image of content/static/ that is not there", fstest.MapFS{"content/2025/a.md": {Data: []byte(withImage("/photo.jpg", "Фото"))}},
			[]string{`content/2025/a.md:6:8: image "/photo.jpg": no file content/static/photo.jpg (a path from / names a file of content/static/)`}},
		{"an image that is a hidden file", fstest.MapFS{"content/2025/a.md": {Data: []byte(withImage(".photo.png", "Фото"))}, "content/2025/.photo.png": {Data: []byte("png")}},
			[]string{`content/2025/a.md:6:8: image ".photo.png": content/2025/.photo.png is not published: notes, the site's settings and taxonomy, hidden files and editors' backups never are`}},
		{"an image outside the site", fstest.MapFS{"content/2025/a.md": {Data: []byte(withImage("../../../etc/photo.jpg", "Фото"))}},
			[]string{`content/2025/a.md:6:8: image "../../../etc/photo.jpg" is outside content/: only files of the site's content/ folder are published`}},
		{"an image that is an address", fstest.MapFS{"content/2025/a.md": {Data: []byte(withImage("https://example.org/photo.jpg", "Фото"))}},
			[]string{`content/2025/a.md:6:8: image "https://example.org/photo.jpg": name a file of the site, beside the note (photo.jpg) or in content/static/ (/img/photo.jpg), not an address: pages show only the site's own pictures`}},
		{"an image that is no picture", fstest.MapFS{"content/2025/a.md": {Data: []byte(withImage("slides.pdf", "Слайды"))}, "content/2025/slides.pdf": {Data: []byte("pdf")}},
			[]string{`content/2025/a.md:6:8: image "slides.pdf": not a picture; use .png, .jpg, .jpeg, .gif, .webp, .avif, .svg`}},
		{"an image without alt text", fstest.MapFS{"content/2025/a.md": {Data: []byte(withImage("photo.jpg", ""))}, "content/2025/photo.jpg": {Data: []byte("jpeg")}},
			[]string{`content/2025/a.md:6:8: image needs image_alt: a few words that say what the picture shows, for readers who cannot see it`}},
		{"alt text without an image", fstest.MapFS{"content/2025/a.md": {Data: []byte(strings.TrimSuffix(note, "---\n") + "image_alt: Фото\n---\n")}},
			[]string{`content/2025/a.md:6:1: image_alt without image: it describes the picture that image names`}},
		{"an image that is a named pipe", fstest.MapFS{"content/2025/a.md": {Data: []byte(withImage("photo.jpg", "Фото"))}, "content/2025/photo.jpg": {Mode: fs.ModeNamedPipe}},
			[]string{`content/2025/a.md:6:8: image "photo.jpg": a named pipe, not a regular file: only regular files are read`}},
		{"an image over limits.file", fstest.MapFS{
			"content/site.yaml":      {Data: []byte("limits: {file: 1 KB}\n")},
			"content/2025/a.md":      {Data: []byte(withImage("photo.jpg", "Фото"))},
			"content/2025/photo.jpg": {Data: []byte(strings.Repeat("j", 2<<10))},
		}, []string{`content/2025/a.md:6:8: image "photo.jpg": 2 KB, more than the limit of 1 KB for a file (limits.file in content/site.yaml)`}},
		{"a named pipe beside the notes that no note shows", fstest.MapFS{"content/2025/fifo": {Mode: fs.ModeNamedPipe}}, nil},
		{"a named pipe in content/static/", fstest.MapFS{"content/static/fifo": {Mode: fs.ModeNamedPipe}},
			[]string{`content/static/fifo: a named pipe, not a regular file: only regular files are read`}},
		{"a file of content/static/ over limits.file", fstest.MapFS{
			"content/site.yaml":         {Data: []byte("limits: {file: 1 KB}\n")},
			"content/static/slides.pdf": {Data: []byte(strings.Repeat("p", 3<<10))},
		}, []string{`content/static/slides.pdf: 3 KB, more than the limit of 1 KB for a file (limits.file in content/site.yaml)`}},
		{"a Markdown file in content/static/ is no note", fstest.MapFS{"content/static/README.md": {Data: []byte("# Не заметка\n")}}, nil},
		{"the site's favicon and image", fstest.MapFS{
			"content/site.yaml":       {Data: []byte("favicon: /icon.png\nimage: /og.png\nimage_alt: Эмблема\n")},
			"content/static/icon.png": {Data: []byte("png")},
			"content/static/og.png":   {Data: []byte("png")},
		}, nil},
		{"the site's favicon and image not there", fstest.MapFS{"content/site.yaml": {Data: []byte("favicon: /icon.png\nimage: /og.png\nimage_alt: Эмблема\n")}},
			[]string{
				`content/site.yaml:1:10: favicon "/icon.png": no file content/static/icon.png (a path from / names a file of content/static/)`,
				`content/site.yaml:2:8: image "/og.png": no file content/static/og.png (a path from / names a file of content/static/)`,
			}},
		{"the site's image without alt text and a favicon that is no path", fstest.MapFS{"content/site.yaml": {Data: []byte("favicon: icon.png\nimage: /og.png\n")}, "content/static/og.png": {Data: []byte("png")}},
			[]string{
				`content/site.yaml:1:10: favicon "icon.png": give the path on the site of a file of content/static/, from /, such as /favicon.png`,
				`content/site.yaml:2:8: image needs image_alt: a few words that say what the picture shows, for readers who cannot see it`,
			}},
		{"a taxonomy file not UTF-8", fstest.MapFS{"content/taxonomy/kinds.yaml": {Data: []byte("- slug: expo\n  name: {ru: Выс\xd0}\n")}},
			[]string{`content/taxonomy/kinds.yaml:2:17: not UTF-8 (byte 0xd0): save the file as UTF-8`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := site(nil)
			for name, f := range tt.files {
				fsys[name] = f
			}
			_, err := Load(fsys)
			var got []string
			var es Errors
			if errors.As(err, &es) {
				got = strings.Split(es.Error(), "\n")
			} else if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// withImage is a valid note with the image and image_alt fields given, on
// lines 6 and 7; image_alt is left out when alt is empty.
func withImage(image, alt string) string {
	s := "---\ntitle: Т\ndate: 2025-03-17\nkind: delegation\nregions: [guangdong]\nimage: " + image + "\n"
	if alt != "" {
		s += "image_alt: " + alt + "\n"
	}
	return s + "---\n"
}

// TestEditorFilesLeftOut checks that an editor's backup and temporary
// files among the site's are neither notes nor published, as serve
// --watch ignores them.
func TestEditorFilesLeftOut(t *testing.T) {
	fsys := site(nil)
	for _, name := range []string{"readme.txt", "readme.txt~", "4913", "#readme.txt#", ".readme.txt.swp", "movie.swf"} {
		fsys["content/static/"+name] = &fstest.MapFile{Data: []byte("x")}
	}
	src, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range src.Files.Static() {
		got = append(got, f.Path)
	}
	slices.Sort(got)
	if want := []string{"content/static/movie.swf", "content/static/readme.txt"}; !slices.Equal(got, want) {
		t.Errorf("published %q, want %q", got, want)
	}
}
