//! Tests for the graph drawing: well-formed XML, one link per node, byte-stable output in
//! any input order, escaping, the cap and the neighbourhood rules, speed at 10,000 notes,
//! and labels that do not overlap.

use super::*;
use std::time::Instant;

fn node(id: &str, label: &str, kind: NodeKind) -> GraphNode {
    let folder = match kind {
        NodeKind::Person => "people",
        NodeKind::Company => "companies",
        NodeKind::Event => "events",
    };
    GraphNode {
        id: id.to_string(),
        label: label.to_string(),
        kind,
        href: format!("/brief/{folder}/{id}/"),
    }
}

fn edge(from: &str, to: &str, label: &str) -> GraphEdge {
    GraphEdge {
        from: from.to_string(),
        to: to.to_string(),
        label: label.to_string(),
    }
}

/// A brief shaped like the real one: 13 people, 27 organisations, 17 events.
fn sample_brief() -> (Vec<GraphNode>, Vec<GraphEdge>) {
    use NodeKind::*;
    let people = [
        ("ruoming-pang", "Ruoming Pang"),
        ("zhifeng-chen", "Zhifeng Chen"),
        ("mark-zuckerberg", "Mark Zuckerberg"),
        ("sam-altman", "Sam Altman"),
        ("alexandr-wang", "Alexandr Wang"),
        ("daniel-gross", "Daniel Gross"),
        ("nat-friedman", "Nat Friedman"),
        ("yuanzhi-li", "Yuanzhi Li"),
        ("anton-bakhtin", "Anton Bakhtin"),
        ("yann-lecun", "Yann LeCun"),
        ("russ-salakhutdinov", "Russ Salakhutdinov"),
        ("mat-velloso", "Mat Velloso"),
        ("geoffrey-hinton", "Geoffrey Hinton"),
    ];
    let companies = [
        ("apple", "Apple"),
        ("meta", "Meta"),
        ("meta-superintelligence-labs", "Meta Superintelligence Labs"),
        ("fair", "FAIR"),
        ("openai", "OpenAI"),
        ("anthropic", "Anthropic"),
        ("google", "Google"),
        ("google-deepmind", "Google DeepMind"),
        ("scale-ai", "Scale AI"),
        ("nvidia", "Nvidia"),
        ("amd", "AMD"),
        ("sk-hynix", "SK Hynix"),
        ("sandisk", "SanDisk"),
        ("microsoft", "Microsoft"),
        ("softbank", "SoftBank"),
        ("amazon", "Amazon"),
        ("safe-superintelligence", "Safe Superintelligence"),
        ("github", "GitHub"),
        ("bloomberg", "Bloomberg"),
        ("the-information", "The Information"),
        ("36kr", "36Kr"),
        ("benzinga", "Benzinga"),
        ("techcrunch", "TechCrunch"),
        ("deep-tide-techflow", "Deep Tide TechFlow"),
        ("qubit", "QbitAI"),
        ("nbtx-news", "NBTX News"),
        ("mexc", "MEXC"),
    ];
    let events = [
        ("pang-joins-apple", "Pang joins Apple"),
        ("llama-4-release", "Llama 4 release"),
        ("meta-invests-in-scale-ai", "Meta invests in Scale AI"),
        (
            "gross-and-friedman-join-meta",
            "Gross and Friedman join Meta",
        ),
        ("pang-leaves-apple-for-meta", "Pang leaves Apple for Meta"),
        ("meta-hires-li-and-bakhtin", "Meta hires Li and Bakhtin"),
        ("velloso-joins-meta", "Velloso joins Meta"),
        ("llama-4-behemoth-delayed", "Llama 4 Behemoth delayed"),
        ("msl-job-cuts", "MSL job cuts"),
        ("lecun-announces-departure", "LeCun announces departure"),
        ("avocado-delayed", "Avocado model delayed"),
        ("meta-2026-capex-plan", "Meta 2026 capex plan"),
        ("meta-cancels-training-chip", "Meta cancels training chip"),
        ("meta-chip-agreements", "Meta chip agreements"),
        ("hbf-standardisation", "HBF standardisation"),
        ("pang-leaves-meta-for-openai", "Pang leaves Meta for OpenAI"),
        (
            "velloso-and-salakhutdinov-leave",
            "Velloso and Salakhutdinov leave",
        ),
    ];
    let mut nodes = Vec::new();
    nodes.extend(people.iter().map(|(id, l)| node(id, l, Person)));
    nodes.extend(companies.iter().map(|(id, l)| node(id, l, Company)));
    nodes.extend(events.iter().map(|(id, l)| node(id, l, Event)));

    let relations: &[(&str, &str, &str)] = &[
        ("ruoming-pang", "works at", "openai"),
        ("ruoming-pang", "worked at", "apple"),
        ("ruoming-pang", "worked at", "meta-superintelligence-labs"),
        ("ruoming-pang", "worked at", "google"),
        ("zhifeng-chen", "worked at", "google"),
        ("zhifeng-chen", "worked at", "apple"),
        ("zhifeng-chen", "works at", "meta-superintelligence-labs"),
        ("mark-zuckerberg", "chief executive of", "meta"),
        ("sam-altman", "chief executive of", "openai"),
        ("alexandr-wang", "leads", "meta-superintelligence-labs"),
        ("alexandr-wang", "founded", "scale-ai"),
        ("daniel-gross", "co-founded", "safe-superintelligence"),
        ("daniel-gross", "works at", "meta-superintelligence-labs"),
        ("nat-friedman", "worked at", "github"),
        ("nat-friedman", "works at", "meta-superintelligence-labs"),
        ("yuanzhi-li", "worked at", "microsoft"),
        ("yuanzhi-li", "works at", "meta-superintelligence-labs"),
        ("anton-bakhtin", "worked at", "anthropic"),
        ("anton-bakhtin", "works at", "meta-superintelligence-labs"),
        ("yann-lecun", "worked at", "fair"),
        ("yann-lecun", "worked at", "meta"),
        ("russ-salakhutdinov", "worked at", "meta"),
        ("russ-salakhutdinov", "worked at", "apple"),
        ("mat-velloso", "worked at", "google-deepmind"),
        ("mat-velloso", "worked at", "meta"),
        ("mat-velloso", "worked at", "microsoft"),
        ("geoffrey-hinton", "worked at", "google"),
        ("meta-superintelligence-labs", "part of", "meta"),
        ("fair", "part of", "meta"),
        ("google-deepmind", "part of", "google"),
        ("github", "part of", "microsoft"),
        ("meta", "invested in", "scale-ai"),
        ("softbank", "invested in", "openai"),
        ("amazon", "invested in", "anthropic"),
        ("microsoft", "invested in", "openai"),
        ("google", "invested in", "anthropic"),
        ("nvidia", "supplies", "meta"),
        ("amd", "supplies", "meta"),
    ];
    let participants: &[(&str, &[&str])] = &[
        ("pang-joins-apple", &["ruoming-pang", "apple", "google"]),
        (
            "llama-4-release",
            &["meta", "meta-superintelligence-labs", "fair"],
        ),
        (
            "meta-invests-in-scale-ai",
            &["meta", "scale-ai", "alexandr-wang", "mark-zuckerberg"],
        ),
        (
            "gross-and-friedman-join-meta",
            &[
                "daniel-gross",
                "nat-friedman",
                "meta",
                "safe-superintelligence",
                "mark-zuckerberg",
            ],
        ),
        (
            "pang-leaves-apple-for-meta",
            &[
                "ruoming-pang",
                "apple",
                "meta",
                "meta-superintelligence-labs",
                "mark-zuckerberg",
            ],
        ),
        (
            "meta-hires-li-and-bakhtin",
            &[
                "yuanzhi-li",
                "anton-bakhtin",
                "meta",
                "microsoft",
                "anthropic",
            ],
        ),
        (
            "velloso-joins-meta",
            &["mat-velloso", "meta", "google-deepmind"],
        ),
        (
            "llama-4-behemoth-delayed",
            &["meta", "meta-superintelligence-labs"],
        ),
        (
            "msl-job-cuts",
            &[
                "meta-superintelligence-labs",
                "meta",
                "alexandr-wang",
                "fair",
            ],
        ),
        ("lecun-announces-departure", &["yann-lecun", "meta", "fair"]),
        (
            "avocado-delayed",
            &["meta", "meta-superintelligence-labs", "alexandr-wang"],
        ),
        (
            "meta-2026-capex-plan",
            &["meta", "mark-zuckerberg", "nvidia", "amd"],
        ),
        ("meta-cancels-training-chip", &["meta", "nvidia"]),
        (
            "meta-chip-agreements",
            &["meta", "nvidia", "amd", "sk-hynix", "sandisk"],
        ),
        ("hbf-standardisation", &["sk-hynix", "sandisk"]),
        (
            "pang-leaves-meta-for-openai",
            &[
                "ruoming-pang",
                "meta",
                "openai",
                "sam-altman",
                "meta-superintelligence-labs",
            ],
        ),
        (
            "velloso-and-salakhutdinov-leave",
            &[
                "mat-velloso",
                "russ-salakhutdinov",
                "meta",
                "meta-superintelligence-labs",
            ],
        ),
    ];
    let reported_by: &[(&str, &[&str])] = &[
        (
            "bloomberg",
            &[
                "pang-leaves-apple-for-meta",
                "pang-leaves-meta-for-openai",
                "msl-job-cuts",
            ],
        ),
        (
            "the-information",
            &[
                "pang-leaves-meta-for-openai",
                "avocado-delayed",
                "meta-cancels-training-chip",
            ],
        ),
        (
            "36kr",
            &[
                "pang-leaves-meta-for-openai",
                "velloso-and-salakhutdinov-leave",
            ],
        ),
        (
            "benzinga",
            &["pang-leaves-apple-for-meta", "meta-invests-in-scale-ai"],
        ),
        (
            "techcrunch",
            &["gross-and-friedman-join-meta", "meta-hires-li-and-bakhtin"],
        ),
        (
            "deep-tide-techflow",
            &[
                "meta-chip-agreements",
                "hbf-standardisation",
                "meta-2026-capex-plan",
            ],
        ),
        (
            "qubit",
            &["velloso-joins-meta", "lecun-announces-departure"],
        ),
        ("nbtx-news", &["meta-hires-li-and-bakhtin"]),
        ("mexc", &["meta-2026-capex-plan"]),
    ];
    let mut edges: Vec<GraphEdge> = relations.iter().map(|(f, l, t)| edge(f, t, l)).collect();
    for (event, who) in participants {
        edges.extend(who.iter().map(|w| edge(w, event, "participant in")));
    }
    for (outlet, what) in reported_by {
        edges.extend(what.iter().map(|e| edge(outlet, e, "reported")));
    }
    (nodes, edges)
}

/// A small deterministic generator for shuffles and synthetic graphs.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

fn synthetic_graph(node_count: usize, edge_count: usize) -> (Vec<GraphNode>, Vec<GraphEdge>) {
    let mut rng = SplitMix(42);
    let kinds = [NodeKind::Person, NodeKind::Company, NodeKind::Event];
    let nodes: Vec<GraphNode> = (0..node_count)
        .map(|i| {
            node(
                &format!("note-{i:05}"),
                &format!("Note number {i}"),
                kinds[i % 3],
            )
        })
        .collect();
    // Skewed towards low indices so some nodes are hubs, like a real brief.
    let edges: Vec<GraphEdge> = (0..edge_count)
        .map(|_| {
            let a = rng.below(node_count);
            let bound = rng.below(node_count) + 1;
            let b = rng.below(bound);
            edge(&nodes[a].id, &nodes[b].id, "related to")
        })
        .collect();
    (nodes, edges)
}

// ---- a tiny XML well-formedness checker -------------------------------------------------

#[derive(Debug)]
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    /// Names of the enclosing elements, outermost first.
    ancestors: Vec<String>,
    text: String,
}

impl Element {
    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn check_entities(text: &str) -> Result<(), String> {
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        let after = &rest[at + 1..];
        let end = after.find(';').ok_or("unterminated entity")?;
        let entity = &after[..end];
        let known = matches!(entity, "amp" | "lt" | "gt" | "quot" | "apos")
            || (entity.starts_with('#') && entity.len() > 1);
        if !known {
            return Err(format!("unknown entity &{entity};"));
        }
        rest = &after[end + 1..];
    }
    Ok(())
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.')
}

/// Parses `xml` far enough to prove it well-formed: balanced, properly nested tags, quoted
/// attributes without `<`, no duplicate attributes, known entities only, legal characters,
/// one root. Returns every element in document order.
fn parse_xml(xml: &str) -> Result<Vec<Element>, String> {
    if let Some(bad) = xml
        .chars()
        .find(|&c| (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(format!("illegal character {:?}", bad));
    }
    let mut elements: Vec<Element> = Vec::new();
    let mut open: Vec<(String, usize)> = Vec::new();
    let mut roots = 0;
    let mut rest = xml;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if !open.is_empty() || !rest.trim().is_empty() {
                return Err("text after the root or unclosed elements".into());
            }
            break;
        };
        let text = &rest[..lt];
        check_entities(text)?;
        if open.is_empty() && !text.trim().is_empty() {
            return Err(format!("text outside the root: {text:?}"));
        }
        if let Some((_, index)) = open.last() {
            elements[*index].text.push_str(text);
        }
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").ok_or("unclosed comment")?;
            rest = &after[end + 3..];
            continue;
        }
        if let Some(after) = rest.strip_prefix("<?") {
            let end = after.find("?>").ok_or("unclosed processing instruction")?;
            rest = &after[end + 2..];
            continue;
        }
        if let Some(after) = rest.strip_prefix("</") {
            let end = after.find('>').ok_or("unclosed end tag")?;
            let name = after[..end].trim();
            match open.pop() {
                Some((expected, _)) if expected == name => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
            rest = &after[end + 1..];
            continue;
        }
        // A start tag.
        let body = &rest[1..];
        let name_end = body.find(|c: char| !is_name_char(c)).ok_or("bad tag")?;
        let name = body[..name_end].to_string();
        if name.is_empty() {
            return Err("empty tag name".into());
        }
        let mut cursor = &body[name_end..];
        let mut attributes: Vec<(String, String)> = Vec::new();
        let self_closing;
        loop {
            let trimmed = cursor.trim_start();
            if let Some(after) = trimmed.strip_prefix("/>") {
                self_closing = true;
                cursor = after;
                break;
            }
            if let Some(after) = trimmed.strip_prefix('>') {
                self_closing = false;
                cursor = after;
                break;
            }
            if trimmed.len() == cursor.len() {
                return Err(format!("no space before attribute in <{name}>"));
            }
            let attr_end = trimmed.find(|c: char| !is_name_char(c)).ok_or("bad attr")?;
            let attr_name = trimmed[..attr_end].to_string();
            if attr_name.is_empty() {
                return Err(format!(
                    "bad attribute in <{name}>: {:?}",
                    &trimmed[..20.min(trimmed.len())]
                ));
            }
            let after_name = trimmed[attr_end..]
                .strip_prefix('=')
                .ok_or("attribute without =")?;
            let quote = after_name.chars().next().ok_or("eof")?;
            if quote != '"' && quote != '\'' {
                return Err(format!("unquoted attribute {attr_name}"));
            }
            let value_end = after_name[1..].find(quote).ok_or("unclosed attribute")?;
            let value = &after_name[1..1 + value_end];
            if value.contains('<') {
                return Err(format!("< in attribute {attr_name}"));
            }
            check_entities(value)?;
            if attributes.iter().any(|(n, _)| *n == attr_name) {
                return Err(format!("duplicate attribute {attr_name}"));
            }
            attributes.push((attr_name, value.to_string()));
            cursor = &after_name[1 + value_end + 1..];
        }
        if open.is_empty() {
            roots += 1;
            if roots > 1 {
                return Err("more than one root".into());
            }
        }
        elements.push(Element {
            name: name.clone(),
            attributes,
            ancestors: open.iter().map(|(n, _)| n.clone()).collect(),
            text: String::new(),
        });
        if !self_closing {
            open.push((name, elements.len() - 1));
        }
        rest = cursor;
    }
    if !open.is_empty() {
        return Err(format!("unclosed elements {open:?}"));
    }
    if roots != 1 {
        return Err("no root element".into());
    }
    Ok(elements)
}

fn links(elements: &[Element]) -> Vec<&Element> {
    elements
        .iter()
        .filter(|e| e.name == "a" && e.attribute("href").is_some())
        .collect()
}

// ---- the tests ---------------------------------------------------------------------------

#[test]
fn the_checker_rejects_broken_xml() {
    assert!(parse_xml("<svg><a></svg>").is_err());
    assert!(parse_xml("<svg><text>a & b</text></svg>").is_err());
    assert!(parse_xml("<svg x=\"1\" x=\"2\"/>").is_err());
    assert!(parse_xml("<svg/><svg/>").is_err());
    assert!(parse_xml("<svg><text>&lt;ok&gt;</text></svg>").is_ok());
}

#[test]
fn sample_brief_is_well_formed_svg_with_a_title() {
    let (nodes, edges) = sample_brief();
    let drawn = render_graph_svg(&nodes, &edges, &GraphOptions::default());
    let elements = parse_xml(&drawn.svg).unwrap_or_else(|e| panic!("{e}\n{}", drawn.svg));
    let root = &elements[0];
    assert_eq!(root.name, "svg");
    assert_eq!(root.attribute("xmlns"), Some("http://www.w3.org/2000/svg"));
    let labelled_by = root.attribute("aria-labelledby").expect("aria-labelledby");
    let title = elements
        .iter()
        .find(|e| e.attribute("id") == Some(labelled_by))
        .expect("the element aria-labelledby points at");
    assert_eq!(title.name, "title");
    assert!(!title.text.is_empty());
    assert!(root.attribute("viewBox").is_some());
    assert!(!drawn.svg.contains("xlink"), "SVG 2 href, not xlink:href");
    assert_eq!(drawn.total_nodes, 57);
    assert_eq!(drawn.shown_nodes, 57);
}

#[test]
fn every_shown_node_is_one_link_with_its_href_kind_class_and_tooltip() {
    let (nodes, edges) = sample_brief();
    let drawn = render_graph_svg(&nodes, &edges, &GraphOptions::default());
    let elements = parse_xml(&drawn.svg).unwrap();
    let links = links(&elements);
    assert_eq!(links.len(), drawn.shown_nodes);
    let mut hrefs: Vec<&str> = links.iter().filter_map(|a| a.attribute("href")).collect();
    hrefs.sort();
    let mut expected: Vec<&str> = nodes.iter().map(|n| n.href.as_str()).collect();
    expected.sort();
    assert_eq!(hrefs, expected);
    let pang = links
        .iter()
        .find(|a| a.attribute("href") == Some("/brief/people/ruoming-pang/"))
        .unwrap();
    assert_eq!(pang.attribute("class"), Some("node node-person"));
    let meta = links
        .iter()
        .find(|a| a.attribute("href") == Some("/brief/companies/meta/"))
        .unwrap();
    assert!(meta.attribute("class").unwrap().contains("node-company"));
    // Each link holds its tooltip, circle and label.
    let inside_links = elements
        .iter()
        .filter(|e| e.ancestors.last().map(String::as_str) == Some("a"));
    let names: Vec<&str> = inside_links.map(|e| e.name.as_str()).collect();
    assert_eq!(
        names.iter().filter(|n| **n == "circle").count(),
        links.len()
    );
    assert_eq!(names.iter().filter(|n| **n == "text").count(), links.len());
    assert_eq!(names.iter().filter(|n| **n == "title").count(), links.len());
    let label = elements
        .iter()
        .find(|e| e.name == "text" && e.text == "Meta Superintelligence Labs");
    assert!(label.is_some(), "labels are written out in full when short");
}

#[test]
fn edges_are_drawn_under_the_nodes_and_merged_per_pair() {
    let nodes = vec![
        node("a", "Alice", NodeKind::Person),
        node("b", "Bobcorp", NodeKind::Company),
    ];
    let edges = vec![
        edge("a", "b", "works at"),
        edge("b", "a", "employs"),
        edge("a", "b", "works at"),
    ];
    let drawn = render_graph_svg(&nodes, &edges, &GraphOptions::default());
    let elements = parse_xml(&drawn.svg).unwrap();
    let lines: Vec<&Element> = elements.iter().filter(|e| e.name == "line").collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].attribute("class"), Some("edge"));
    let tooltip = elements
        .iter()
        .find(|e| e.name == "title" && e.ancestors.last().map(String::as_str) == Some("line"))
        .unwrap();
    assert_eq!(
        tooltip.text,
        "Alice works at Bobcorp; Bobcorp employs Alice"
    );
    let first_line = drawn.svg.find("<line").unwrap();
    let first_link = drawn.svg.find("<a ").unwrap();
    assert!(
        first_line < first_link,
        "edges come first, so nodes paint over them"
    );
}

#[test]
fn two_calls_give_identical_bytes() {
    let (nodes, edges) = sample_brief();
    let options = GraphOptions::default();
    let first = render_graph_svg(&nodes, &edges, &options);
    let second = render_graph_svg(&nodes, &edges, &options);
    assert_eq!(first, second);
    let center_first = render_neighbourhood_svg("ruoming-pang", &nodes, &edges, &options);
    let center_second = render_neighbourhood_svg("ruoming-pang", &nodes, &edges, &options);
    assert_eq!(center_first, center_second);
}

#[test]
fn shuffled_input_gives_identical_bytes() {
    let (nodes, edges) = sample_brief();
    let options = GraphOptions::default();
    let expected = render_graph_svg(&nodes, &edges, &options);
    let expected_neighbourhood = render_neighbourhood_svg("meta", &nodes, &edges, &options);
    let mut rng = SplitMix(7);
    for _ in 0..5 {
        let mut nodes = nodes.clone();
        let mut edges = edges.clone();
        rng.shuffle(&mut nodes);
        rng.shuffle(&mut edges);
        assert_eq!(render_graph_svg(&nodes, &edges, &options), expected);
        assert_eq!(
            render_neighbourhood_svg("meta", &nodes, &edges, &options),
            expected_neighbourhood
        );
    }
}

#[test]
fn duplicate_ids_are_resolved_the_same_way_in_any_order() {
    let one = node("x", "First", NodeKind::Person);
    let two = node("x", "Second", NodeKind::Company);
    let options = GraphOptions::default();
    let forward = render_graph_svg(&[one.clone(), two.clone()], &[], &options);
    let backward = render_graph_svg(&[two, one], &[], &options);
    assert_eq!(forward, backward);
    assert_eq!(forward.shown_nodes, 1);
    assert_eq!(forward.total_nodes, 1);
}

#[test]
fn labels_and_hrefs_from_user_data_are_escaped() {
    let nodes = vec![
        GraphNode {
            id: "evil".into(),
            label: "<script>alert('x')</script> & \"Sons\"\u{7}".into(),
            kind: NodeKind::Company,
            href: "/companies/evil/?a=1&b=\"2\"'><script>".into(),
        },
        node("good", "Good & Co", NodeKind::Person),
    ];
    let edges = vec![edge("good", "evil", "<b>owns</b> & runs")];
    let drawn = render_graph_svg(&nodes, &edges, &GraphOptions::default());
    let elements = parse_xml(&drawn.svg).unwrap_or_else(|e| panic!("{e}\n{}", drawn.svg));
    assert!(!drawn.svg.contains("<script"));
    assert!(!drawn.svg.contains("<b>"));
    assert!(drawn.svg.contains("&lt;script&gt;alert(&apos;x&apos;)"));
    assert!(drawn.svg.contains("Good &amp; Co"));
    assert!(
        !drawn.svg.contains('\u{7}'),
        "control characters are dropped"
    );
    let evil = links(&elements)
        .into_iter()
        .find(|a| a.attribute("href").unwrap().starts_with("/companies/evil/"))
        .unwrap();
    assert_eq!(
        evil.attribute("href"),
        Some("/companies/evil/?a=1&amp;b=&quot;2&quot;&apos;&gt;&lt;script&gt;")
    );
}

#[test]
fn long_labels_are_cut_on_the_drawing_but_whole_in_the_tooltip() {
    let long = "The Extraordinarily Long Name of a Holding Company Limited";
    let drawn = render_graph_svg(
        &[node("long", long, NodeKind::Company)],
        &[],
        &GraphOptions::default(),
    );
    let elements = parse_xml(&drawn.svg).unwrap();
    let text = elements
        .iter()
        .find(|e| e.name == "text" && e.ancestors.last().map(String::as_str) == Some("a"))
        .unwrap();
    assert!(text.text.ends_with('…'));
    assert!(text.text.chars().count() <= 32);
    assert!(
        drawn
            .svg
            .contains(&format!("<title>{long} (company)</title>"))
    );
}

#[test]
fn cap_keeps_the_most_connected_nodes_and_reports_counts() {
    // Hubs h0..h4 each linked to many leaves; leaves have degree 1 or 2.
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for h in 0..5 {
        nodes.push(node(
            &format!("hub-{h}"),
            &format!("Hub {h}"),
            NodeKind::Company,
        ));
    }
    for l in 0..40 {
        let id = format!("leaf-{l:02}");
        nodes.push(node(&id, &format!("Leaf {l}"), NodeKind::Person));
        edges.push(edge(&id, &format!("hub-{}", l % 5), "works at"));
        if l < 3 {
            edges.push(edge(&id, &format!("hub-{}", (l + 1) % 5), "advises"));
        }
    }
    let options = GraphOptions {
        max_nodes: 10,
        ..GraphOptions::default()
    };
    let drawn = render_graph_svg(&nodes, &edges, &options);
    assert_eq!(drawn.shown_nodes, 10);
    assert_eq!(drawn.total_nodes, 45);
    let elements = parse_xml(&drawn.svg).unwrap();
    let hrefs: Vec<&str> = links(&elements)
        .iter()
        .filter_map(|a| a.attribute("href"))
        .collect();
    assert_eq!(hrefs.len(), 10);
    for h in 0..5 {
        assert!(hrefs.contains(&format!("/brief/companies/hub-{h}/").as_str()));
    }
    // Then the three leaves of degree 2, then degree-1 leaves by id: leaf-03, leaf-04.
    for l in ["leaf-00", "leaf-01", "leaf-02", "leaf-03", "leaf-04"] {
        assert!(
            hrefs.contains(&format!("/brief/people/{l}/").as_str()),
            "{l} kept"
        );
    }
    assert!(
        drawn
            .svg
            .contains("Showing the 10 most connected notes of 45.")
    );
}

#[test]
fn no_drawing_has_more_than_the_ceiling_of_nodes() {
    // The selection only; drawing 1,000 nodes is slow in a debug build.
    let (nodes, edges) = synthetic_graph(MAX_DRAWN_NODES + 200, 3000);
    let graph = CanonicalGraph::new(&nodes, &edges);
    assert_eq!(graph.most_connected(usize::MAX).len(), MAX_DRAWN_NODES);
    let (kept, total) = graph.neighbourhood(0, usize::MAX);
    assert!(kept.len() <= total);
    let options = GraphOptions {
        max_nodes: usize::MAX,
        ..GraphOptions::default()
    };
    let neighbourhood = render_neighbourhood_svg("note-00000", &nodes, &edges, &options);
    assert!(neighbourhood.shown_nodes <= MAX_DRAWN_NODES);
}

#[test]
fn neighbourhood_holds_the_centre_and_its_direct_neighbours() {
    let (nodes, edges) = sample_brief();
    let options = GraphOptions {
        max_nodes: 40,
        ..GraphOptions::default()
    };
    let drawn = render_neighbourhood_svg("ruoming-pang", &nodes, &edges, &options);
    let elements = parse_xml(&drawn.svg).unwrap();
    let hrefs: Vec<&str> = links(&elements)
        .iter()
        .filter_map(|a| a.attribute("href"))
        .collect();
    let direct = [
        "/brief/people/ruoming-pang/",
        "/brief/companies/openai/",
        "/brief/companies/apple/",
        "/brief/companies/google/",
        "/brief/companies/meta-superintelligence-labs/",
        "/brief/events/pang-joins-apple/",
        "/brief/events/pang-leaves-apple-for-meta/",
        "/brief/events/pang-leaves-meta-for-openai/",
    ];
    for href in direct {
        assert!(hrefs.contains(&href), "{href} missing");
    }
    // Pang has 7 direct neighbours (not few), so nothing two steps away is drawn.
    assert_eq!(drawn.shown_nodes, 8);
    assert_eq!(drawn.total_nodes, 8);
    let centre = links(&elements)
        .into_iter()
        .find(|a| a.attribute("href") == Some("/brief/people/ruoming-pang/"))
        .unwrap();
    assert!(centre.attribute("class").unwrap().contains("node-center"));
    assert!(drawn.svg.contains("Connections of Ruoming Pang"));
}

#[test]
fn a_sparse_neighbourhood_also_shows_neighbours_of_neighbours() {
    let (nodes, edges) = sample_brief();
    let drawn = render_neighbourhood_svg(
        "hbf-standardisation",
        &nodes,
        &edges,
        &GraphOptions::default(),
    );
    let elements = parse_xml(&drawn.svg).unwrap();
    let hrefs: Vec<&str> = links(&elements)
        .iter()
        .filter_map(|a| a.attribute("href"))
        .collect();
    assert!(hrefs.contains(&"/brief/companies/sk-hynix/"));
    assert!(hrefs.contains(&"/brief/companies/deep-tide-techflow/"));
    assert!(
        hrefs.contains(&"/brief/events/meta-chip-agreements/"),
        "second step shown"
    );
    assert!(drawn.shown_nodes > 4);
}

#[test]
fn neighbourhood_cap_keeps_the_centre_and_counts_the_whole_neighbourhood() {
    let (nodes, edges) = sample_brief();
    let options = GraphOptions {
        max_nodes: 5,
        ..GraphOptions::default()
    };
    let drawn = render_neighbourhood_svg("meta", &nodes, &edges, &options);
    assert_eq!(drawn.shown_nodes, 5);
    assert!(drawn.total_nodes > 20);
    assert!(drawn.svg.contains("href=\"/brief/companies/meta/\""));
    // Even a cap of zero draws the centre.
    let tiny = render_neighbourhood_svg(
        "meta",
        &nodes,
        &edges,
        &GraphOptions {
            max_nodes: 0,
            ..options
        },
    );
    assert_eq!(tiny.shown_nodes, 1);
    parse_xml(&tiny.svg).unwrap();
}

#[test]
fn unknown_centre_gives_an_empty_valid_drawing() {
    let (nodes, edges) = sample_brief();
    let drawn = render_neighbourhood_svg("nobody", &nodes, &edges, &GraphOptions::default());
    assert_eq!((drawn.shown_nodes, drawn.total_nodes), (0, 0));
    let elements = parse_xml(&drawn.svg).unwrap();
    assert!(links(&elements).is_empty());
}

#[test]
fn two_drawings_on_one_page_do_not_share_ids() {
    let (nodes, edges) = sample_brief();
    let options = GraphOptions::default();
    let mut ids = Vec::new();
    for svg in [
        render_graph_svg(&nodes, &edges, &options).svg,
        render_neighbourhood_svg("meta", &nodes, &edges, &options).svg,
        render_neighbourhood_svg("apple", &nodes, &edges, &options).svg,
        render_neighbourhood_svg("Apple", &nodes, &edges, &options).svg,
    ] {
        let elements = parse_xml(&svg).unwrap();
        ids.extend(
            elements
                .iter()
                .filter_map(|e| e.attribute("id").map(str::to_string)),
        );
    }
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "ids repeat: {ids:?}");
}

#[test]
fn empty_input_gives_a_small_valid_svg() {
    let drawn = render_graph_svg(&[], &[], &GraphOptions::default());
    assert_eq!((drawn.shown_nodes, drawn.total_nodes), (0, 0));
    let elements = parse_xml(&drawn.svg).unwrap();
    assert_eq!(elements[0].name, "svg");
    assert!(drawn.svg.len() < 6000, "{} bytes", drawn.svg.len());
    // A zero-sized hint and a single node do not break anything either.
    let single = render_graph_svg(
        &[node("solo", "Solo", NodeKind::Event)],
        &[edge("solo", "solo", "self"), edge("solo", "ghost", "x")],
        &GraphOptions {
            max_nodes: 150,
            width: 0,
            height: 0,
        },
    );
    let elements = parse_xml(&single.svg).unwrap();
    assert_eq!(links(&elements).len(), 1);
    assert!(
        !single.svg.contains("<line"),
        "self-loops and unknown ends are ignored"
    );
    assert!(!single.svg.contains("NaN") && !single.svg.contains("inf"));
}

#[test]
fn coordinates_have_one_decimal_and_stay_inside_the_view_box() {
    let (nodes, edges) = sample_brief();
    let drawn = render_graph_svg(&nodes, &edges, &GraphOptions::default());
    let elements = parse_xml(&drawn.svg).unwrap();
    let view_box: Vec<f64> = elements[0]
        .attribute("viewBox")
        .unwrap()
        .split(' ')
        .map(|v| v.parse().unwrap())
        .collect();
    for e in elements.iter().filter(|e| e.name == "circle") {
        for attribute in ["cx", "cy", "r"] {
            let value = e.attribute(attribute).unwrap();
            let (_, decimals) = value.split_once('.').expect("a decimal point");
            assert_eq!(decimals.len(), 1, "{attribute}={value}");
        }
        let cx: f64 = e.attribute("cx").unwrap().parse().unwrap();
        let cy: f64 = e.attribute("cy").unwrap().parse().unwrap();
        assert!((0.0..=view_box[2]).contains(&cx) && (0.0..=view_box[3]).contains(&cy));
    }
}

#[test]
fn labels_of_the_sample_brief_do_not_overlap() {
    // Rebuild the boxes the layout reserved and check every pair, the slow way.
    let (nodes, edges) = sample_brief();
    let drawn = render_graph_svg(&nodes, &edges, &GraphOptions::default());
    let elements = parse_xml(&drawn.svg).unwrap();
    let labels: Vec<(f64, f64, f64, f64)> = elements
        .iter()
        .filter(|e| e.name == "text" && e.ancestors.last().map(String::as_str) == Some("a"))
        .map(|e| {
            let x: f64 = e.attribute("x").unwrap().parse().unwrap();
            let y: f64 = e.attribute("y").unwrap().parse().unwrap();
            let half = svg::estimate_text_width(&e.text) / 2.0;
            (
                x - half,
                y - svg::LABEL_FONT_PX * 0.8,
                x + half,
                y + svg::LABEL_FONT_PX * 0.25,
            )
        })
        .collect();
    assert_eq!(labels.len(), 57);
    for (i, a) in labels.iter().enumerate() {
        for b in &labels[i + 1..] {
            let apart = a.2 <= b.0 || b.2 <= a.0 || a.3 <= b.1 || b.3 <= a.1;
            assert!(apart, "labels overlap: {a:?} {b:?}");
        }
    }
}

#[test]
fn ten_thousand_notes_draw_quickly() {
    let (nodes, edges) = synthetic_graph(10_000, 50_000);
    let options = GraphOptions::default();
    let (started, cpu) = (Instant::now(), thread_cpu_nanos());
    let drawn = render_graph_svg(&nodes, &edges, &options);
    let (whole, whole_cpu) = (started.elapsed(), thread_cpu_nanos() - cpu);
    let (started, cpu) = (Instant::now(), thread_cpu_nanos());
    let local = render_neighbourhood_svg("note-00000", &nodes, &edges, &options);
    let (neighbourhood, neighbourhood_cpu) = (started.elapsed(), thread_cpu_nanos() - cpu);
    println!(
        "10,000 nodes / 50,000 edges: whole graph {whole:?} wall, {} ms CPU ({} shown); \
         neighbourhood {neighbourhood:?} wall, {} ms CPU ({} of {})",
        whole_cpu / 1_000_000,
        drawn.shown_nodes,
        neighbourhood_cpu / 1_000_000,
        local.shown_nodes,
        local.total_nodes
    );
    assert_eq!(drawn.shown_nodes, 150);
    assert_eq!(drawn.total_nodes, 10_000);
    assert!(local.shown_nodes <= 150 && local.shown_nodes > 1);
    parse_xml(&drawn.svg).unwrap();
    parse_xml(&local.svg).unwrap();
    // Generous bounds, on CPU time where the system reports it: the machine may be busy
    // with other jobs, and this may be a debug build (release: ~20 ms).
    assert!(whole_cpu < 2_000_000_000, "whole graph took {whole_cpu} ns");
    assert!(
        neighbourhood_cpu < 2_000_000_000,
        "neighbourhood took {neighbourhood_cpu} ns"
    );
    assert!(whole.as_secs_f64() < 20.0 && neighbourhood.as_secs_f64() < 20.0);
}

#[test]
fn a_prepared_graph_draws_the_same_as_the_free_functions() {
    let (nodes, edges) = sample_brief();
    let options = GraphOptions::default();
    let prepared = PreparedGraph::new(&nodes, &edges);
    assert_eq!(prepared.node_count(), 57);
    assert_eq!(
        prepared.whole_svg(&options),
        render_graph_svg(&nodes, &edges, &options)
    );
    for center in ["meta", "hbf-standardisation", "nobody"] {
        assert_eq!(
            prepared.neighbourhood_svg(center, &options),
            render_neighbourhood_svg(center, &nodes, &edges, &options)
        );
    }
}

#[test]
fn one_neighbourhood_per_page_costs_little_even_at_ten_thousand_notes() {
    let (nodes, edges) = synthetic_graph(10_000, 50_000);
    let options = GraphOptions {
        max_nodes: 40,
        ..GraphOptions::default()
    };
    let (started, cpu) = (Instant::now(), thread_cpu_nanos());
    let prepared = PreparedGraph::new(&nodes, &edges);
    let prepare_cpu = thread_cpu_nanos() - cpu;
    let cpu = thread_cpu_nanos();
    let pages = 50;
    let mut shown = 0;
    for i in 0..pages {
        let center = format!("note-{:05}", i * 200);
        let drawn = prepared.neighbourhood_svg(&center, &options);
        assert!(drawn.shown_nodes >= 1 && drawn.shown_nodes <= 40);
        shown += drawn.shown_nodes;
    }
    let per_page_cpu = (thread_cpu_nanos() - cpu) / pages as u64;
    println!(
        "10,000 notes: prepare {} ms CPU; one neighbourhood (cap 40, {:.1} nodes on average) \
         {} µs CPU per page; {:?} wall for all",
        prepare_cpu / 1_000_000,
        shown as f64 / pages as f64,
        per_page_cpu / 1_000,
        started.elapsed()
    );
    assert!(per_page_cpu < 200_000_000, "{per_page_cpu} ns per page");
}

/// Time spent on the CPU by this thread, from Linux's schedstat (0 elsewhere): a fair number
/// on a machine other jobs keep busy, where wall time is not.
fn thread_cpu_nanos() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Writes the sample brief's drawings to /tmp for a person to look at:
/// `rustc --edition 2024 --test src/graph/mod.rs -o /tmp/gr && /tmp/gr --ignored --nocapture`.
#[test]
#[ignore]
fn write_sample_drawings_for_inspection() {
    let (nodes, edges) = sample_brief();
    let options = GraphOptions::default();
    let whole = render_graph_svg(&nodes, &edges, &options);
    std::fs::write("/tmp/graph.svg", &whole.svg).unwrap();
    for center in ["ruoming-pang", "meta", "hbf-standardisation"] {
        let local = render_neighbourhood_svg(center, &nodes, &edges, &options);
        std::fs::write(format!("/tmp/graph-{center}.svg"), &local.svg).unwrap();
    }
    let (nodes, edges) = synthetic_graph(10_000, 50_000);
    let big = render_graph_svg(&nodes, &edges, &options);
    std::fs::write("/tmp/graph-capped.svg", &big.svg).unwrap();
    println!("{} edges in the sample", edges.len());
}

/// Benchmark, run by hand with `--ignored --nocapture`: CPU time of indexing vs drawing.
#[test]
#[ignore]
fn bench_phases() {
    let (nodes, edges) = synthetic_graph(10_000, 50_000);
    let t = thread_cpu_nanos();
    for _ in 0..10 {
        let g = CanonicalGraph::new(&nodes, &edges);
        std::hint::black_box(&g.links);
    }
    println!(
        "canonical cpu {} ms",
        (thread_cpu_nanos() - t) / 10 / 1_000_000
    );
    let t = thread_cpu_nanos();
    for _ in 0..10 {
        std::hint::black_box(render_graph_svg(&nodes, &edges, &GraphOptions::default()));
    }
    println!("whole cpu {} ms", (thread_cpu_nanos() - t) / 10 / 1_000_000);
}

/// Benchmark, run by hand with `--ignored --nocapture`: how the cost grows with the cap.
#[test]
#[ignore]
fn bench_caps() {
    let (nodes, edges) = synthetic_graph(10_000, 50_000);
    for cap in [150, 300, 500, 1000, usize::MAX] {
        let options = GraphOptions {
            max_nodes: cap,
            ..GraphOptions::default()
        };
        let (started, cpu) = (Instant::now(), thread_cpu_nanos());
        let drawn = render_graph_svg(&nodes, &edges, &options);
        println!(
            "cap {cap}: {:?} wall, {} ms CPU, {} shown, {} bytes",
            started.elapsed(),
            (thread_cpu_nanos() - cpu) / 1_000_000,
            drawn.shown_nodes,
            drawn.svg.len()
        );
    }
}
