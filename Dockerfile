# Churn workshop app: a container for a team's hosted link.
#   docker build -t churn-workshop .
#   docker run -p 8501:8501 -v churn-data:/data churn-workshop
FROM python:3.11-slim

# Pango is what WeasyPrint needs for the PDF report; nothing is downloaded at run time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY app.py ./
COPY pages/ pages/
COPY churn/ churn/
COPY data/sample/ data/sample/
COPY .streamlit/ .streamlit/

# Workspaces live on a volume so they survive restarts.
ENV CHURN_DB=/data/workspaces.db
RUN useradd --create-home churn && mkdir -p /data && chown churn /data
USER churn
EXPOSE 8501
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://localhost:8501/_stcore/health')"
CMD ["streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0"]
