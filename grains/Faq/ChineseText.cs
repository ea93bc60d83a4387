using Lucene.Net.Analysis;
using Lucene.Net.Analysis.CharFilters;
using Lucene.Net.Analysis.Cjk;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Util;

namespace Engine.Grains.Faq;

/// <summary>
/// How the robot and the phrase search read Chinese (MK-4, MK-7): the words customers use for one thing are brought to
/// one form (拍下, 下单 and 购买 are all 买; 退钱 and 退费 are 退款), particles and greetings that say nothing about the
/// question are dropped, and what is left is indexed as single characters and overlapping character pairs (Lucene's
/// <see cref="CJKBigramFilter"/> with unigrams), so that a question matches however it is segmented. Latin letters and
/// digits are kept whole, full-width forms made half-width, and case folded.
/// </summary>
public static class ChineseText
{
    /// <summary>Variants → the form the index keeps. Longest match first; a canonical form maps to itself so it is not mapped again.</summary>
    private static readonly (string Form, string[] Variants)[] Synonyms =
    [
        ("买", ["购买", "下单", "拍下", "拍了", "拍的", "拍错", "入手", "订购", "买了"]),
        ("订单", ["单子", "订单号"]),
        ("物流", ["快递", "包裹", "运单", "快件", "运输", "配送"]),
        ("发货", ["寄出", "寄出来", "发出", "寄走", "出库"]),
        ("地址", ["收货地址", "收件地址", "寄送地址", "收件人地址", "门牌号"]),
        ("退款", ["退钱", "退费", "退回钱", "把钱退"]),
        ("退货", ["寄回", "寄回去", "退回"]),
        ("换货", ["调换", "更换", "换一个", "换个"]),
        ("发票", ["开票", "票据", "专票", "普票", "电子票", "增值税发票"]),
        ("账号", ["帐号", "账户", "帐户"]),
        ("手机号", ["手机号码", "电话号码", "号码"]),
        ("注销", ["销户", "销号", "销掉", "删掉账号", "删除账号"]),
        ("会员", ["vip", "年卡", "月卡"]),
        ("优惠券", ["券", "抵扣券", "红包", "满减", "优惠码"]),
        ("支付", ["付款", "付钱", "交钱", "付费", "结账", "买单"]),
        ("课程", ["网课", "课"]),
        ("回放", ["录播", "重播"]),
        ("多久", ["什么时候", "啥时候", "多长时间", "几天", "多少天"]),
        ("破损", ["坏了", "压烂", "摔碎", "碎了", "损坏", "破了"]),
        ("证书", ["结业证", "证明", "发证"]),
        ("试听", ["体验课", "免费课", "0元课", "试学"]),
        ("资料", ["讲义", "课件", "ppt", "pdf", "练习题"]),
        ("人工", ["真人", "人工客服", "转人工"]),
        ("有效期", ["期限", "到期", "过期"]),
        ("取消", ["撤销", "不要了"]),
    ];

    /// <summary>Greetings, particles and question words: they say nothing about which question it is.</summary>
    private static readonly string[] Dropped =
    [
        "你好", "您好", "请问", "谢谢", "麻烦", "一下", "怎么办", "怎么", "如何", "什么", "可以吗", "能不能", "可不可以", "是不是", "有没有",
        "的", "了", "吗", "呢", "啊", "吧", "呀", "哦", "嘛", "哈", "嗯", "啦", "哇", "您", "你", "我", "他", "她", "它", "们",
    ];

    private static readonly NormalizeCharMap Map = BuildMap();

    /// <summary>
    /// The analyzer; one instance serves every thread (Lucene reuses its components per thread). Without
    /// <paramref name="unigrams"/>, single characters come out only where they stand alone.
    /// </summary>
    public static Analyzer CreateAnalyzer(bool unigrams = true) => Analyzer.NewAnonymous((field, reader) =>
    {
        var source = new StandardTokenizer(LuceneVersion.LUCENE_48, reader);
        TokenStream tokens = new CJKWidthFilter(source);
        tokens = new LowerCaseFilter(LuceneVersion.LUCENE_48, tokens);
        tokens = new CJKBigramFilter(tokens, CJKScript.HAN, outputUnigrams: unigrams);
        return new TokenStreamComponents(source, tokens);
    }, initReader: (field, reader) => new MappingCharFilter(Map, reader));

    /// <summary>The distinct terms of <paramref name="text"/> as the index reads them.</summary>
    public static List<string> Terms(Analyzer analyzer, string text)
    {
        var terms = new List<string>();
        using var stream = analyzer.GetTokenStream("q", text);
        var term = stream.AddAttribute<Lucene.Net.Analysis.TokenAttributes.ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            var t = term.ToString();
            if (!terms.Contains(t)) terms.Add(t);
        }
        stream.End();
        return terms;
    }

    private static NormalizeCharMap BuildMap()
    {
        var builder = new NormalizeCharMap.Builder();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (form, variants) in Synonyms)
        {
            if (seen.Add(form)) builder.Add(form, form);
            foreach (var variant in variants)
                if (seen.Add(variant)) builder.Add(variant, form);
        }
        foreach (var word in Dropped)
            if (seen.Add(word)) builder.Add(word, "");
        return builder.Build();
    }
}
