using System.Runtime.InteropServices;

namespace Engine.Persistence;

/// <summary>
/// The SQLite calls made for every statement the group commit runs, imported straight from the e_sqlite3 library
/// that SQLitePCLRaw loads (the same name, so the same loaded library): raw pointers instead of safe handles,
/// and values bound from the caller's own pinned buffer without a copy (<see cref="Static"/>), where SQLitePCLRaw
/// encodes every string into a new array that SQLite then copies once more. The binding calls are short and never
/// block or call back (no managed log callback is registered with SQLite; one would make them call back), so they skip
/// the GC transition. Preparing, finalizing and reading columns stay with SQLitePCLRaw.
/// </summary>
internal static class SqliteNative
{
    private const string Library = "e_sqlite3";

    /// <summary>SQLITE_STATIC: SQLite uses the bound bytes where they are, until the statement is reset and its bindings cleared.</summary>
    public const nint Static = 0;

    [DllImport(Library, EntryPoint = "sqlite3_bind_int64", ExactSpelling = true, CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern int BindInt64(nint statement, int index, long value);

    [DllImport(Library, EntryPoint = "sqlite3_bind_double", ExactSpelling = true, CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern int BindDouble(nint statement, int index, double value);

    [DllImport(Library, EntryPoint = "sqlite3_bind_null", ExactSpelling = true, CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern int BindNull(nint statement, int index);

    [DllImport(Library, EntryPoint = "sqlite3_bind_text", ExactSpelling = true, CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern int BindText(nint statement, int index, nint utf8, int length, nint destructor);

    [DllImport(Library, EntryPoint = "sqlite3_bind_blob", ExactSpelling = true, CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern int BindBlob(nint statement, int index, nint bytes, int length, nint destructor);

    [DllImport(Library, EntryPoint = "sqlite3_clear_bindings", ExactSpelling = true, CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern int ClearBindings(nint statement);

    [DllImport(Library, EntryPoint = "sqlite3_changes", ExactSpelling = true, CallingConvention = CallingConvention.Cdecl), SuppressGCTransition]
    public static extern int Changes(nint db);

    /// <summary>Runs the statement: reads and writes pages, so it keeps the GC transition.</summary>
    [DllImport(Library, EntryPoint = "sqlite3_step", ExactSpelling = true, CallingConvention = CallingConvention.Cdecl)]
    public static extern int Step(nint statement);

    [DllImport(Library, EntryPoint = "sqlite3_reset", ExactSpelling = true, CallingConvention = CallingConvention.Cdecl)]
    public static extern int Reset(nint statement);
}
