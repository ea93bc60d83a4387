namespace Engine.Marketing;

/// <summary>MK-2: where a department may stand in its tenant's tree. Pure: the tree comes in as each department's parent.</summary>
public static class DepartmentTree
{
    /// <summary>
    /// Why <paramref name="moving"/> (null: a new department) may not stand under <paramref name="parentId"/>: the parent
    /// is unknown, is the department itself or below it (a cycle), or the tree would grow deeper than
    /// <paramref name="maxDepth"/> levels. Null when it may.
    /// </summary>
    public static string? PlaceProblem(IReadOnlyDictionary<string, string?> parents, string? moving, string parentId, int maxDepth)
    {
        if (!parents.ContainsKey(parentId)) return "names an unknown department";
        var depth = 1;
        for (var at = parentId; at is not null; at = parents[at], depth++)
            if (at == moving) return "must not be the department itself or one below it";
        var below = moving is null ? 0 : Height(parents, moving);
        return depth + below > maxDepth ? $"would make the tree deeper than {maxDepth} levels" : null;
    }

    /// <summary>How many levels hang below a department (0 for a leaf).</summary>
    private static int Height(IReadOnlyDictionary<string, string?> parents, string id)
    {
        var children = parents.Where(p => p.Value == id).Select(p => p.Key).ToList();
        return children.Count == 0 ? 0 : 1 + children.Max(child => Height(parents, child));
    }
}
