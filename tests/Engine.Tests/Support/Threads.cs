namespace Engine.Tests.Support;

internal static class Threads
{
    /// <summary>Runs <paramref name="body"/> on <paramref name="count"/> dedicated threads released together; rethrows the first failure.</summary>
    public static void RunTogether(int count, Action<int> body)
    {
        using var start = new Barrier(count);
        var errors = new Exception?[count];
        var threads = Enumerable.Range(0, count).Select(index => new Thread(() =>
        {
            start.SignalAndWait();
            try
            {
                body(index);
            }
            catch (Exception e)
            {
                errors[index] = e;
            }
        })).ToList();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();
        var failures = errors.OfType<Exception>().ToList();
        if (failures.Count > 0) throw new AggregateException(failures);
    }
}
