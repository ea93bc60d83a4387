using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
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
/// are searchable at once. A question is asked in two steps: its character pairs alone find the likeliest entries
/// (a common single character's long list of documents would slow every search), then the pairs and single characters
/// together rank those. The robot's confidence is the best entry's score over the score the question would get against
/// itself: 1 when an entry says all that the question says and nothing rarer, near 0 when only common characters match.
/// </summary>
public sealed class FaqIndex : IDisposable
{
    /// <summary>
    /// BM25 as Lucene sets it by default. The answer's words count as much as the questions' (an answer names what
    /// customers ask in other words): on the project's set, weights from 0 to 1 for the answer, 1 to 3 for character
    /// pairs over single characters, k1 0.8–2 and b 0.3–0.75 were tried, and these defaults did best.
    /// </summary>
    private const float K1 = 1.2f, B = 0.75f;

    /// <summary>How many entries the pairs find for the second step to rank.</summary>
    private const int Candidates = 32;

    private readonly Analyzer _analyzer = ChineseText.CreateAnalyzer();
    private readonly Analyzer _pairs = ChineseText.CreateAnalyzer(unigrams: false);
    private readonly RAMDirectory _directory = new();
    private readonly IndexWriter _writer;
    private readonly SearcherManager _searchers;

    /// <summary>
    /// Where each term is in the current reader, looked up once: a question's terms repeat from question to question, and
    /// looking them up in the term dictionary for every query cost as much as the search. Terms the index has are kept
    /// (as many as its vocabulary), per reader, and go with it.
    /// </summary>
    private readonly ConditionalWeakTable<IndexReader, ConcurrentDictionary<Term, TermContext>> _terms = new();

    /// <summary>The answers by entry, beside the index: reading a stored field unpacks a whole block of documents.</summary>
    private readonly ConcurrentDictionary<string, string> _answers = new(StringComparer.Ordinal);

    public FaqIndex(IEnumerable<FaqDocument> entries)
    {
        var config = new IndexWriterConfig(LuceneVersion.LUCENE_48, _analyzer) { Similarity = new BM25Similarity(K1, B), OpenMode = OpenMode.CREATE };
        _writer = new IndexWriter(_directory, config);
        foreach (var entry in entries)
        {
            _writer.AddDocument(Document(entry));
            _answers[entry.Id] = entry.Answer;
        }
        // One segment: every search then walks one term dictionary and one list per term.
        _writer.ForceMerge(1);
        _writer.Commit();
        _searchers = new SearcherManager(_writer, applyAllDeletes: true, new Factory());
    }

    public int Count => Use(searcher => searcher.IndexReader.NumDocs);

    /// <summary>Adds or replaces an entry; searchable when this returns.</summary>
    public void Upsert(FaqDocument entry)
    {
        _writer.UpdateDocument(new Term("id", entry.Id), Document(entry));
        _answers[entry.Id] = entry.Answer;
        _searchers.MaybeRefreshBlocking();
    }

    public void Remove(string entryId)
    {
        _writer.DeleteDocuments(new Term("id", entryId));
        _searchers.MaybeRefreshBlocking();
        _answers.TryRemove(entryId, out _);
    }

    /// <summary>The best entry for <paramref name="question"/> and the confidence in it; no entry when nothing matches.</summary>
    public RobotAnswer Ask(string question) => Use(searcher =>
    {
        var terms = ChineseText.Terms(_analyzer, question.ToLowerInvariant());
        if (terms.Count == 0) return new RobotAnswer(null, null, 0);
        var top = Ranked(searcher, question, terms, 1, null);
        if (top.Length == 0) return new RobotAnswer(null, null, 0);
        var id = IdOf(searcher, top[0].Doc);
        return new RobotAnswer(id, _answers.GetValueOrDefault(id), Math.Min(1, top[0].Score / SelfScore(searcher, terms)));
    });

    /// <summary>The documents that match <paramref name="text"/> best, best first; with <paramref name="scopes"/>, only those of one of them.</summary>
    public IReadOnlyList<(string Id, float Score)> Search(string text, int limit, IReadOnlyList<string>? scopes = null) => Use<IReadOnlyList<(string, float)>>(searcher =>
    {
        var terms = ChineseText.Terms(_analyzer, text.ToLowerInvariant());
        if (terms.Count == 0) return [];
        Query? within = null;
        if (scopes is not null)
        {
            var any = new BooleanQuery();
            foreach (var scope in scopes) any.Add(new TermQuery(new Term("scope", scope)), Occur.SHOULD);
            within = any;
        }
        return [.. Ranked(searcher, text, terms, limit, within).Select(hit => (IdOf(searcher, hit.Doc), hit.Score))];
    });

    public void Dispose()
    {
        _searchers.Dispose();
        _writer.Dispose();
        _directory.Dispose();
        _analyzer.Dispose();
        _pairs.Dispose();
    }

    /// <summary>
    /// The best <paramref name="limit"/> documents (among those <paramref name="within"/> matches): the pairs of
    /// <paramref name="text"/> pick candidates, and all its <paramref name="terms"/> rank them. A question with no pair
    /// (a single character) is ranked over every document.
    /// </summary>
    private ScoreDoc[] Ranked(IndexSearcher searcher, string text, List<string> terms, int limit, Query? within)
    {
        Filter? candidates = null;
        var pairs = ChineseText.Terms(_pairs, text.ToLowerInvariant());
        if (pairs.Count > 0 && pairs.Count < terms.Count)
        {
            var first = TopScoreDocCollector.Create(Math.Max(Candidates, limit), docsScoredInOrder: true);
            // The questions alone pick the candidates: an answer's words are many and common.
            searcher.Search(Within(Query(searcher, pairs, answers: false), within), first);
            var found = first.GetTopDocs().ScoreDocs;
            if (found.Length == 0) return [];
            candidates = new DocumentsFilter([.. found.Select(hit => hit.Doc)]);
        }
        var collector = TopScoreDocCollector.Create(limit, docsScoredInOrder: true);
        Query ranked = Within(Query(searcher, terms, answers: true), within);
        if (candidates is not null) ranked = new FilteredQuery(ranked, candidates, FilteredQuery.LEAP_FROG_FILTER_FIRST_STRATEGY);
        searcher.Search(ranked, collector);
        return collector.GetTopDocs().ScoreDocs;
    }

    private static Query Within(Query query, Query? within)
        => within is null ? query : new BooleanQuery { { query, Occur.MUST }, { new ConstantScoreQuery(within) { Boost = 0 }, Occur.MUST } };

    private Query Query(IndexSearcher searcher, List<string> terms, bool answers)
    {
        var query = new BooleanQuery();
        foreach (var term in terms)
        {
            query.Add(TermQuery(searcher, new Term("q", term)), Occur.SHOULD);
            if (answers) query.Add(TermQuery(searcher, new Term("a", term)), Occur.SHOULD);
        }
        return query;
    }

    private TermQuery TermQuery(IndexSearcher searcher, Term term) => new(term, Context(searcher, term));

    private TermContext Context(IndexSearcher searcher, Term term)
    {
        var known = _terms.GetValue(searcher.IndexReader, static _ => new ConcurrentDictionary<Term, TermContext>());
        if (known.TryGetValue(term, out var context)) return context;
        context = TermContext.Build(searcher.TopReaderContext, term);
        // A term the index lacks is not kept: what visitors type is endless.
        if (context.DocFreq > 0) known.TryAdd(term, context);
        return context;
    }

    /// <summary>
    /// BM25 of the question against a document of exactly its own terms (each once, of the question's length): the most
    /// the question's terms can score together. Lucene's idf is <c>log(1 + (N - df + 0.5) / (df + 0.5))</c>.
    /// </summary>
    private float SelfScore(IndexSearcher searcher, List<string> terms)
    {
        var reader = searcher.IndexReader;
        long documents = Math.Max(1, reader.NumDocs);
        var averageLength = (double)reader.GetSumTotalTermFreq("q") / Math.Max(1, reader.GetDocCount("q"));
        var norm = 1 + K1 * (1 - B + B * terms.Count / Math.Max(1, averageLength));
        double sum = 0;
        foreach (var term in terms)
        {
            var df = Context(searcher, new Term("q", term)).DocFreq;
            sum += Math.Log(1 + (documents - df + 0.5) / (df + 0.5)) * (K1 + 1) / norm;
        }
        return (float)Math.Max(sum, 1e-6);
    }

    private static Document Document(FaqDocument entry)
    {
        var document = new Document
        {
            new StringField("id", entry.Id, Field.Store.NO),
            new BinaryDocValuesField("id", new BytesRef(entry.Id)),
            new TextField("a", entry.Answer.ToLowerInvariant(), Field.Store.NO),
        };
        foreach (var question in entry.Questions) document.Add(new TextField("q", question.ToLowerInvariant(), Field.Store.NO));
        if (entry.Scope is { } scope) document.Add(new StringField("scope", scope, Field.Store.NO));
        return document;
    }

    /// <summary>The entry id of a document, from its doc values (a column read, not a stored document unpacked).</summary>
    private static string IdOf(IndexSearcher searcher, int document)
    {
        var leaves = searcher.IndexReader.Leaves;
        var leaf = leaves[ReaderUtil.SubIndex(document, leaves)];
        var bytes = new BytesRef();
        leaf.AtomicReader.GetBinaryDocValues("id").Get(document - leaf.DocBase, bytes);
        return bytes.Utf8ToString();
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

    /// <summary>A few documents by their top-level numbers, as each segment sees them.</summary>
    private sealed class DocumentsFilter(int[] documents) : Filter
    {
        public override DocIdSet GetDocIdSet(AtomicReaderContext context, IBits acceptDocs)
        {
            var bits = new FixedBitSet(context.AtomicReader.MaxDoc);
            foreach (var document in documents)
            {
                var local = document - context.DocBase;
                if (local >= 0 && local < bits.Length && (acceptDocs is null || acceptDocs.Get(local))) bits.Set(local);
            }
            return bits;
        }
    }

    private sealed class Factory : SearcherFactory
    {
        public override IndexSearcher NewSearcher(IndexReader reader) => new(reader) { Similarity = new BM25Similarity(K1, B) };
    }
}
