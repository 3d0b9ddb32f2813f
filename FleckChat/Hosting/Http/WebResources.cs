namespace FleckChat.Hosting.Http;

/// <summary>The files of FleckChat/Web, embedded in the executable (see FleckChat.csproj).</summary>
internal static class WebResources
{
    public static string Read(string fileName)
    {
        using var stream = typeof(WebResources).Assembly.GetManifestResourceStream("FleckChat.Web." + fileName)
            ?? throw new InvalidOperationException($"The embedded resource Web/{fileName} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
