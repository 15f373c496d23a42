namespace EduRelief.Bench.Generator;

/// <summary>Han names (common 百家姓 surnames, a few compound ones), Uyghur-style names with the middle dot, and typos.</summary>
public static class ChineseNames
{
    /// <summary>Most common first (Henan order, roughly); picked with Zipf-like weights.</summary>
    private static readonly string[] Surnames =
    [
        "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗",
        "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "程", "曹", "袁", "邓", "许", "沈", "曾", "彭", "吕", "苏", "卢",
        "蒋", "蔡", "贾", "丁", "魏", "薛", "叶", "阎", "余", "潘", "杜", "戴", "夏", "钟", "汪", "田", "任", "姜", "范", "方",
        "石", "姚", "谭", "廖", "邹", "熊", "金", "陆", "郝", "孔", "白", "崔", "康", "毛", "邱", "秦", "江", "史", "顾", "侯",
        "邵", "孟", "龙", "万", "段", "雷", "钱", "汤", "尹", "常", "武", "乔", "贺", "龚", "文", "牛", "申", "翟", "岳", "耿",
        "付", "靳", "闫", "霍", "路", "祁", "樊", "栗", "司", "原",
        "欧阳", "司马", "诸葛", "上官", "司徒", "皇甫", "东方", "令狐",
    ];

    private static readonly double[] SurnameCumulative = Cumulative(Surnames.Length);

    private const string YoungMale = "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林阳豪轩博文昊然睿泽晨子梓一嘉佳宏志建国成亮振永海东新春铭航锦毅";
    private const string YoungFemale = "芳娜敏静丽艳娟霞秀玲燕婷雪琳晶颖倩欣怡萱涵雨诗梦琪悦雅彤妍思佳语馨瑶慧洁萍红梅兰凤英桂玉可若依";
    private const string OldMale = "建国军民华明忠德林海春生福学保卫庆长志文振富贵松山全胜祥发";
    private const string OldFemale = "秀英兰桂芳玉凤梅霞珍荣云花琴莲香菊翠娥改焕爱巧";

    private static readonly string[] MinorityFemale = ["阿依古丽", "古丽娜尔", "热依拉", "迪丽努尔", "帕提古丽", "米热古丽", "努尔古丽", "阿依努尔"];
    private static readonly string[] MinorityMale = ["艾力", "买买提", "吐尔逊", "阿不都拉", "艾克拜尔", "阿迪力", "依明", "热合曼", "库尔班", "玉素甫"];

    private static readonly Dictionary<char, string> Similar = BuildSimilar(
        "明铭 华桦 丽莉 伟玮 芳方 军君 杰洁 婷亭 涛滔 磊蕾 欣馨 宇雨 浩皓 梓子 轩萱 晨辰 佳嘉 怡宜 静晶 娜那 敏民 艳燕 玲琳 雪学 颖英 倩茜 " +
        "涵含 琪祺 悦月 雅亚 彤桐 妍研 思斯 瑶遥 慧惠 萍平 红宏 梅玫 兰岚 凤风 桂贵 玉钰 刚钢 辉晖 鹏朋 飞菲 鑫新 波博 斌彬 凯恺 健建 俊骏 " +
        "帆凡 旭绪 宁凝 龙隆 阳杨 文雯 昊浩 然燃 睿锐 泽则 宏鸿 志智 成诚 亮靓 振震 永勇 东冬 春纯 航杭 锦金 毅义 秀绣 英莺 荣蓉 云芸 " +
        "张章 王汪 陈程 黄皇 周舟 吴武 徐许 胡湖 朱珠 林霖 何河 郭国 罗萝 梁良 宋松 郑正 韩寒 买卖 提题 古姑 依伊 尔儿 力立 艾爱");

    public const char Dot = '·';

    private static double[] Cumulative(int n)
    {
        var weights = new double[n];
        var sum = 0.0;
        for (var i = 0; i < n; i++)
        {
            sum += 1.0 / (i + 6);
            weights[i] = sum;
        }

        for (var i = 0; i < n; i++)
        {
            weights[i] /= sum;
        }

        return weights;
    }

    private static Dictionary<char, string> BuildSimilar(string pairs)
    {
        var map = new Dictionary<char, string>();
        foreach (var pair in pairs.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            map[pair[0]] = map.TryGetValue(pair[0], out var a) ? a + pair[1] : pair[1].ToString();
            map[pair[1]] = map.TryGetValue(pair[1], out var b) ? b + pair[0] : pair[0].ToString();
        }

        return map;
    }

    public static string Surname(Rng rng)
    {
        var x = rng.NextDouble();
        var i = Array.BinarySearch(SurnameCumulative, x);
        return Surnames[Math.Min(i < 0 ? ~i : i, Surnames.Length - 1)];
    }

    public static string Given(Rng rng, bool male, bool old)
    {
        var pool = old ? (male ? OldMale : OldFemale) : (male ? YoungMale : YoungFemale);
        var length = rng.Chance(old ? 0.35 : 0.22) ? 1 : 2;
        return length == 1 ? pool[rng.Next(pool.Length)].ToString() : string.Concat(pool[rng.Next(pool.Length)], pool[rng.Next(pool.Length)]);
    }

    public static string Han(Rng rng, string surname, bool male, bool old) => surname + Given(rng, male, old);

    /// <summary>Uyghur-style: own name · father's name, e.g. 阿依古丽·买买提.</summary>
    public static string Minority(Rng rng, bool male, string? fatherName = null) =>
        $"{rng.Pick(male ? MinorityMale : MinorityFemale)}{Dot}{fatherName ?? rng.Pick(MinorityMale)}";

    public static string MinorityMaleName(Rng rng) => rng.Pick(MinorityMale);

    /// <summary>The first name part of a minority name (before the dot), to pass on as a child's father name.</summary>
    public static string OwnPart(string minorityName) => minorityName.Split(Dot)[0];

    /// <summary>One character replaced by a look-alike or sound-alike (a real mismatch, never only spacing or dots).</summary>
    public static string Typo(Rng rng, string name)
    {
        var positions = new List<int>();
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] != Dot)
            {
                positions.Add(i);
            }
        }

        // Prefer the given name: the surname is rarely what a clerk gets wrong.
        var at = positions.Count > 1 && rng.Chance(0.85) ? positions[1 + rng.Next(positions.Count - 1)] : positions[rng.Next(positions.Count)];
        var original = name[at];
        char replacement;
        if (Similar.TryGetValue(original, out var alternatives))
        {
            replacement = alternatives[rng.Next(alternatives.Length)];
        }
        else
        {
            do
            {
                replacement = YoungFemale[rng.Next(YoungFemale.Length)];
            }
            while (replacement == original);
        }

        return string.Concat(name.AsSpan(0, at), replacement.ToString(), name.AsSpan(at + 1));
    }

    /// <summary>A difference DOMAIN says is no difference: spaces, U+3000, • or ． for the middle dot. GBK has no •
    /// (U+2022), so a file that must stay GBK gets ． only.</summary>
    public static string Benign(Rng rng, string name, bool gbkOnly)
    {
        if (name.Contains(Dot, StringComparison.Ordinal) && rng.Chance(0.7))
        {
            return name.Replace(Dot, !gbkOnly && rng.Chance(0.5) ? '•' : '．');
        }

        var split = name.Length >= 3 && IsCompound(name) ? 2 : 1;
        return rng.Next(4) switch
        {
            0 => string.Concat(name.AsSpan(0, split), " ", name.AsSpan(split)),
            1 => string.Concat(name.AsSpan(0, split), "\u3000", name.AsSpan(split)),
            2 => name + "\u3000",
            _ => string.Join(' ', name.ToCharArray()),
        };
    }

    private static bool IsCompound(string name) =>
        name.Length >= 2 && Array.IndexOf(Surnames, name[..2]) >= 0;
}
