namespace Engine.Web.Infrastructure;

/// <summary>
/// An uploaded file (multipart <c>file</c>), read after the route's checks (tenant, role) rather than bound before them:
/// a call with another body or another tenant's credentials is refused for what it is, not for its content type.
/// </summary>
public static class Uploads
{
    /// <summary>The form's <c>file</c>, at most <paramref name="maxBytes"/>; <paramref name="what"/> says what it must be, in the refusals.</summary>
    public static async Task<IFormFile> FileAsync(HttpRequest request, long maxBytes, string what, CancellationToken cancellationToken)
    {
        IFormFile? file;
        try
        {
            file = request.HasFormContentType ? (await request.ReadFormAsync(cancellationToken)).Files.GetFile("file") : null;
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            // A broken multipart body, or one over the route's size limit.
            throw RequestValidationException.For("file", $"must come as a well-formed multipart/form-data body of at most {Size(maxBytes)}: {what}");
        }
        if (file is null || file.Length == 0) throw RequestValidationException.For("file", $"is required (multipart/form-data): {what}");
        if (file.Length > maxBytes) throw RequestValidationException.For("file", $"must be at most {Size(maxBytes)}");
        return file;
    }

    private static string Size(long bytes) => bytes % (1024 * 1024) == 0 ? $"{bytes / 1024 / 1024} MB" : $"{bytes / 1024} KB";
}
