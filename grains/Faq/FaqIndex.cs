using Engine.Grains.Routing;
using Lucene.Net.Analysis;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;

namespace Engine.Grains.Faq;

/// <summary>
/// One tenant's FAQ as the robot searches it (MK-4, MK-7): Lucene.Net, in memory, BM25 over the text that
/// <see cref="ChineseText"/> makes. An entry is one document: its question and similar questions (each a value of its
/// own, so that no character pair spans two questions) and its answer. Changes go in one at a time and
/// are searchable at once. The robot's confidence is the best entry's score over the score the question would get
/// against itself: 1 when an entry says all that the question says and nothing rarer, near 0 when only common
/// characters match.
/// </summary>
public sealed class FaqIndex : IDisposable
{
    /// <summary>
    /// BM25 as Lucene sets it by default. The answer's words count as much as the questions' (an answer names what
    /// customers ask in other words): on the project's set, weights from 0 to 1 for the answer, 1 to 3 for character
    /// pairs over single characters, k1 0.8–2 and b 0.3–0.75 were tried, and these defaults did best.
    /// </summary>
    private const float K1 = 1.2f, B = 0.75f;

    private readonly Analyzer _analyzer = ChineseText.CreateAnalyzer();
    private readonly RAMDirectory _directory = new();
    private readonly IndexWriter _writer;
    private readonly SearcherManager _searchers;

    public FaqIndex(IEnumerable<FaqDocument> entries)
    {
        var config = new IndexWriterConfig(LuceneVersion.LUCENE_48, _analyzer) { Similarity = new BM25Similarity(K1, B), OpenMode = OpenMode.CREATE };
        _writer = new IndexWriter(_directory, config);
        foreach (var entry in entries) _writer.AddDocument(Document(entry));
        _writer.Commit();
        _searchers = new SearcherManager(_writer, applyAllDeletes: true, new Factory());
    }

    public int Count => Use(searcher => searcher.IndexReader.NumDocs);

    /// <summary>Adds or replaces an entry; searchable when this returns.</summary>
    public void Upsert(FaqDocument entry)
    {
        _writer.UpdateDocument(new Term("id", entry.Id), Document(entry));
        _searchers.MaybeRefreshBlocking();
    }

    public void Remove(string entryId)
    {
        _writer.DeleteDocuments(new Term("id", entryId));
        _searchers.MaybeRefreshBlocking();
    }

    /// <summary>The best entry for <paramref name="question"/> and the confidence in it; no entry when nothing matches.</summary>
    public RobotAnswer Ask(string question) => Use(searcher =>
    {
        var terms = ChineseText.Terms(_analyzer, question.ToLowerInvariant());
        if (terms.Count == 0) return new RobotAnswer(null, null, 0);
        var collector = TopScoreDocCollector.Create(1, docsScoredInOrder: true);
        searcher.Search(Query(terms), collector);
        var top = collector.GetTopDocs().ScoreDocs;
        if (top.Length == 0) return new RobotAnswer(null, null, 0);
        var document = searcher.Doc(top[0].Doc);
        return new RobotAnswer(document.Get("id"), document.Get("answer"), Math.Min(1, top[0].Score / SelfScore(searcher.IndexReader, terms)));
    });

    /// <summary>The documents that match <paramref name="text"/> best, best first; with <paramref name="scopes"/>, only those of one of them.</summary>
    public IReadOnlyList<(string Id, float Score)> Search(string text, int limit, IReadOnlyList<string>? scopes = null) => Use<IReadOnlyList<(string, float)>>(searcher =>
    {
        var terms = ChineseText.Terms(_analyzer, text.ToLowerInvariant());
        if (terms.Count == 0) return [];
        var collector = TopScoreDocCollector.Create(limit, docsScoredInOrder: true);
        Query query = Query(terms);
        if (scopes is not null)
        {
            var within = new BooleanQuery();
            foreach (var scope in scopes) within.Add(new TermQuery(new Term("scope", scope)), Occur.SHOULD);
            query = new BooleanQuery { { query, Occur.MUST }, { new ConstantScoreQuery(within) { Boost = 0 }, Occur.MUST } };
        }
        searcher.Search(query, collector);
        return [.. collector.GetTopDocs().ScoreDocs.Select(hit => (searcher.Doc(hit.Doc).Get("id"), hit.Score))];
    });

    public void Dispose()
    {
        _searchers.Dispose();
        _writer.Dispose();
        _directory.Dispose();
        _analyzer.Dispose();
    }

    private static Query Query(List<string> terms)
    {
        var query = new BooleanQuery();
        foreach (var term in terms)
        {
            query.Add(new TermQuery(new Term("q", term)), Occur.SHOULD);
            query.Add(new TermQuery(new Term("a", term)), Occur.SHOULD);
        }
        return query;
    }

    /// <summary>
    /// BM25 of the question against a document of exactly its own terms (each once, of the question's length): the most
    /// the question's terms can score together. Lucene's idf is <c>log(1 + (N - df + 0.5) / (df + 0.5))</c>.
    /// </summary>
    private static float SelfScore(IndexReader reader, List<string> terms)
    {
        long documents = Math.Max(1, reader.NumDocs);
        var averageLength = (double)reader.GetSumTotalTermFreq("q") / Math.Max(1, reader.GetDocCount("q"));
        var norm = 1 + K1 * (1 - B + B * terms.Count / Math.Max(1, averageLength));
        double sum = 0;
        foreach (var term in terms)
        {
            var df = reader.DocFreq(new Term("q", term));
            sum += Math.Log(1 + (documents - df + 0.5) / (df + 0.5)) * (K1 + 1) / norm;
        }
        return (float)Math.Max(sum, 1e-6);
    }

    private static Document Document(FaqDocument entry)
    {
        var document = new Document
        {
            new StringField("id", entry.Id, Field.Store.YES),
            new StoredField("answer", entry.Answer),
            new TextField("a", entry.Answer.ToLowerInvariant(), Field.Store.NO),
        };
        foreach (var question in entry.Questions) document.Add(new TextField("q", question.ToLowerInvariant(), Field.Store.NO));
        if (entry.Scope is { } scope) document.Add(new StringField("scope", scope, Field.Store.NO));
        return document;
    }

    /// <summary>Runs a search on the current searcher, held until it is done (a change meanwhile opens a new one).</summary>
    private T Use<T>(Func<IndexSearcher, T> search)
    {
        var searcher = _searchers.Acquire();
        try
        {
            return search(searcher);
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    private sealed class Factory : SearcherFactory
    {
        public override IndexSearcher NewSearcher(IndexReader reader) => new(reader) { Similarity = new BM25Similarity(K1, B) };
    }
}
