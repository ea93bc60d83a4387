namespace Engine.Benchmarks.History;

/// <summary>
/// What the generated people are called and write: a school of courses and learning devices selling through its
/// marketing accounts and skill groups, visitors mostly in Chinese and some in English, agents answering in kind.
/// </summary>
internal static class HistoryTexts
{
    /// <summary>The Chinese word and the English word the dashboard command searches messages for; both occur in the texts below.</summary>
    public const string ChineseWord = "退款";

    public const string EnglishWord = "invoice";

    public static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐"];

    public static readonly string[] GivenNames = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚", "晓燕", "思远", "雨婷", "子涵", "浩然", "欣怡", "俊杰"];

    public static readonly string[] AccountNames =
    [
        "星河少儿编程", "星河英语学堂", "星河数学思维", "星河书法美育", "星河考研辅导", "星河职场技能", "星河学习机旗舰", "星河点读笔官方", "星河家长课堂", "星河留学规划",
    ];

    public static readonly string[] GroupNames =
    [
        "售前咨询", "售后服务", "课程顾问一组", "课程顾问二组", "订单物流", "退换货", "发票与对公", "技术支持", "学习机设备", "会员权益",
        "投诉处理", "大客户", "English Desk", "夜间值班", "直播课咨询", "教材咨询", "试听预约", "续费专席", "小程序客服", "渠道合作",
    ];

    /// <summary>Provinces and their share of visitors (roughly by population and online shopping).</summary>
    public static readonly (string Name, int Weight)[] Regions =
    [
        ("广东", 14), ("山东", 8), ("河南", 7), ("江苏", 9), ("四川", 7), ("河北", 5), ("湖南", 5), ("浙江", 9), ("安徽", 4), ("湖北", 5),
        ("广西", 3), ("云南", 3), ("江西", 3), ("辽宁", 3), ("福建", 4), ("陕西", 3), ("贵州", 2), ("山西", 2), ("重庆", 3), ("黑龙江", 2),
        ("新疆", 1), ("甘肃", 1), ("上海", 5), ("内蒙古", 1), ("吉林", 1), ("北京", 5), ("天津", 2), ("海南", 1), ("宁夏", 1), ("青海", 1), ("西藏", 1),
    ];

    private static readonly string[] Products =
    [
        "少儿编程体验课", "Scratch进阶班", "Python入门", "自然拼读", "新概念英语", "雅思冲刺", "小学奥数", "思维训练营", "硬笔书法", "国画启蒙",
        "考研英语", "管综数学", "Excel实战", "PPT设计", "学习机S3", "点读笔Pro", "错题打印机", "护眼台灯", "家庭教育讲座", "留学申请咨询",
    ];

    private static readonly string[] EnglishProducts = ["the coding class", "the IELTS course", "the tablet", "the reading pen", "the trial lesson", "the summer camp"];

    private static readonly string[] VisitorLines =
    [
        "你好，{p}怎么报名？", "请问{p}多少钱", "{p}最近有优惠活动吗？", "我想咨询一下{p}", "订单{o}什么时候发货？", "{p}不满意可以退款吗？",
        "申请退款一般多久到账", "能开发票吗？要公司抬头的", "好的，谢谢", "在吗", "上课时间是怎么安排的？", "孩子{a}岁适合学{p}吗",
        "可以先试听一节吗", "老师什么时候能回复我", "收到了，我再考虑一下", "怎么修改收货地址", "优惠券用不了是怎么回事", "付款失败了怎么办",
        "课程可以回放吗", "{p}和别家比有什么优势", "我已经付款了，订单号{o}", "退款申请提交了，麻烦看一下", "嗯嗯", "好的",
    ];

    private static readonly string[] VisitorEnglish =
    [
        "Hi, is {e} available in English?", "How do I get an invoice for order {o}?", "I would like a refund please", "Thanks, that helps a lot",
        "Is {e} online or offline?", "Can you send the invoice to my email?", "When will my order {o} ship?", "ok thanks",
    ];

    private static readonly string[] AgentLines =
    [
        "您好，我是{n}，很高兴为您服务", "{p}现在的价格是{m}元，本周报名立减{d}元", "您的订单{o}已经发货，预计{a}天内送达", "退款申请提交后1-3个工作日原路退回",
        "可以开具电子发票，请提供抬头和税号", "稍等，我帮您查询一下", "还有其他可以帮您的吗？", "好的，已经为您登记", "试听课链接已发给您，请查收",
        "{p}适合{a}岁以上的孩子，我们有专门的分级测试", "这个优惠券需要满{m}元才能使用哦", "课程都支持回放，有效期一年", "收货地址可以在「我的订单」里修改",
        "已为您加急处理，请留意短信通知", "感谢您的耐心等待", "不客气，祝您生活愉快",
    ];

    private static readonly string[] AgentEnglish =
    [
        "Sure, I will send the invoice to your email today", "Your refund has been processed", "Yes, {e} is fully online", "You're welcome, have a nice day",
        "Your order {o} ships within 48 hours",
    ];

    public static string PersonName(Random random) => Surnames[random.Next(Surnames.Length)] + GivenNames[random.Next(GivenNames.Length)];

    /// <summary>A visitor's message; English ones are about one in fourteen.</summary>
    public static string Visitor(Random random) => random.Next(14) == 0
        ? Fill(VisitorEnglish[random.Next(VisitorEnglish.Length)], random, null)
        : Fill(VisitorLines[random.Next(VisitorLines.Length)], random, null);

    /// <summary>An agent's message, signed with <paramref name="nickname"/> where it introduces itself.</summary>
    public static string Agent(Random random, string nickname) => random.Next(14) == 0
        ? Fill(AgentEnglish[random.Next(AgentEnglish.Length)], random, nickname)
        : Fill(AgentLines[random.Next(AgentLines.Length)], random, nickname);

    private static string Fill(string line, Random random, string? nickname)
    {
        if (!line.Contains('{', StringComparison.Ordinal)) return line;
        return line
            .Replace("{p}", Products[random.Next(Products.Length)], StringComparison.Ordinal)
            .Replace("{e}", EnglishProducts[random.Next(EnglishProducts.Length)], StringComparison.Ordinal)
            .Replace("{o}", $"{random.NextInt64(2_026_000_000_000, 2_026_999_999_999)}", StringComparison.Ordinal)
            .Replace("{a}", $"{random.Next(3, 13)}", StringComparison.Ordinal)
            .Replace("{m}", $"{random.Next(10, 400) * 10}", StringComparison.Ordinal)
            .Replace("{d}", $"{random.Next(5, 30) * 10}", StringComparison.Ordinal)
            .Replace("{n}", nickname ?? "客服", StringComparison.Ordinal);
    }
}
